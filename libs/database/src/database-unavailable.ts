/** Socket errors meaning the server could not be reached or went away (with the system call that failed). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs of a server shutting down, starting up, out of connections, or too slow to answer in time (57014, a
 * statement cancelled at its statement timeout); class 08 is handled by its prefix.
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** What node-postgres says, without a code, when a connection died or could not be made in time. */
const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable/,
  /^Cannot use a pool after calling end/,
  // A statement a dead connection never answered (see DEAD_CONNECTION_GRACE_MS).
  /^Query read timeout/,
];

/**
 * True when an error means the database could not be reached, not that a statement was wrong: refused or dropped
 * connections, a server shutting down or starting (57P01–57P03), no connection slot (53300), connection exceptions
 * (class 08), statements cancelled at their timeout (57014), and node-postgres's own connection failures. Such an
 * error passes once the database is back, so its caller answers 503 and a message is requeued. Looks inside TypeORM's `driverError` and AggregateErrors. A socket
 * error counts only as a failed system call (a connection's), not as an HTTP client's `aborted`, and a `cause` is not
 * followed: that is how `fetch` reports another service down, which is no database's doing.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as { code?: unknown; syscall?: unknown; message?: unknown; driverError?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if ((NETWORK_CODES.has(code) && typeof e.syscall === 'string') || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  if (typeof e.message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
  const inner = [e.driverError, ...(Array.isArray(e.errors) ? e.errors : [])];
  return inner.some((cause) => isDatabaseUnavailable(cause, depth + 1));
}
