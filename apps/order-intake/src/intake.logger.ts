import type { Logger } from 'pino';

/**
 * The service's structured log, for lines that carry fields. It is nestjs-pino's request-aware logger, so a line
 * logged while handling a request carries its `requestId`, and every line its log context's `orderId` (see
 * log-context.ts in #platform). Phone numbers go through `maskPhone`, addresses are never logged.
 */
export const INTAKE_LOG = Symbol('INTAKE_LOG');
export type IntakeLog = Pick<Logger, 'trace' | 'debug' | 'info' | 'warn' | 'error'>;
