import type { Logger } from 'pino';

/**
 * The service's structured log, for lines that carry fields: `orderId` is the correlation id. Phone numbers go
 * through `maskPhone`, addresses are never logged.
 */
export const INTAKE_LOG = Symbol('INTAKE_LOG');
export type IntakeLog = Logger;
