import { IntakeOrders1763856000000 } from './1763856000000-intake-orders.js';

export const INTAKE_MIGRATIONS = [IntakeOrders1763856000000];
