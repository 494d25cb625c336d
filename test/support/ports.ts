import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports for the services a test starts, which it often names before they listen (fee starts after dispatch, a
 * killed service comes back on its ports). A port the kernel handed out and that was released again may meanwhile
 * become another connection's local end or another test worker's listener; a client then reaches the wrong process
 * or nobody. So these come from below the kernel's ephemeral range, which neither `connect` nor `listen(0)` ever
 * assigns, in a block of its own per jest worker, and each is checked free on every address before it is handed out.
 */
const BLOCK = 1_000;
const LOWEST = 10_000;

const ephemeralLow = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
})();
const blocks = Math.max(1, Math.floor((ephemeralLow - LOWEST) / BLOCK));
const worker = Number(process.env.JEST_WORKER_ID ?? 1);
const first = LOWEST + ((worker - 1) % blocks) * BLOCK;
// Another jest process on the machine (a second run) starts elsewhere in the block; the check below does the rest.
let next = Math.floor(Math.random() * BLOCK);

/** `n` distinct ports, free on every address now, that no other worker of this run hands out. */
export async function testPorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tried = 0; ports.length < n; tried++) {
    if (tried >= BLOCK) throw new Error(`no free port left in ${first}–${first + BLOCK - 1}`);
    const port = first + (next++ % BLOCK);
    if (await isFree(port)) ports.push(port);
  }
  return ports;
}

/** Whether the port can be listened on both by the services (all addresses) and on the loopback alone. */
async function isFree(port: number): Promise<boolean> {
  return (await canListen(port)) && (await canListen(port, '127.0.0.1'));
}

function canListen(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
