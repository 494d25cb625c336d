import { IntakeOrders1763856000000 } from './1763856000000-intake-orders.js';
import { IntakeLocating1763942400000 } from './1763942400000-intake-locating.js';
import { IntakeFailed1764201800000 } from './1764201800000-intake-failed.js';

export const INTAKE_MIGRATIONS = [IntakeOrders1763856000000, IntakeLocating1763942400000, IntakeFailed1764201800000];
