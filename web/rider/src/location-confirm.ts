/**
 * Positions are a stream: the first on a connection, and one at least this often, ask the server to confirm them;
 * the rest go without an answer (docs/rider-protocol.md). The app and the dispatch bench's simulated riders both
 * send by it.
 */
export const LOCATION_CONFIRM_MS = 30_000;
