import { freePorts, STABLE_PORTS } from '../../libs/database/src/ports.js';

/**
 * Ports for the services a test starts, which it often names before they listen (fee started after dispatch, a
 * killed service back on its ports): `freePorts` (below the kernel's ephemeral range, checked free), each jest worker
 * in a block of its own, so no worker hands out a port another is about to listen on.
 */
const BLOCK = 1_000;
const worker = Number(process.env.JEST_WORKER_ID ?? 1);
const blocks = Math.max(1, Math.floor(STABLE_PORTS.count / BLOCK));
const WORKER_PORTS = { first: STABLE_PORTS.first + ((worker - 1) % blocks) * BLOCK, count: Math.min(BLOCK, STABLE_PORTS.count) };

/** `n` distinct ports, free on every address now, that no other worker of this run hands out. */
export function testPorts(n: number): Promise<number[]> {
  return freePorts(n, WORKER_PORTS);
}
