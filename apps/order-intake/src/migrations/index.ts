import { IntakeOrders1763856000000 } from './1763856000000-intake-orders.js';
import { IntakeLocating1763942400000 } from './1763942400000-intake-locating.js';

export const INTAKE_MIGRATIONS = [IntakeOrders1763856000000, IntakeLocating1763942400000];
