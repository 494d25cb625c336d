/**
 * Positions are a stream (docs/rider-protocol.md, "Positions need no answer"): the baecha rider app asks for an answer
 * to the first `location` on a connection and then to one at least this often, and sends the rest without. The bench
 * that plays riders keeps to the same rhythm, so it loads dispatch as the app does.
 */
export const LOCATION_CONFIRM_MS = 30_000;
