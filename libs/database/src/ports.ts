import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port handed out here: below it lie the well-known and registered ports of common local servers. */
const LOWEST = 10_000;

/**
 * The first port of the kernel's ephemeral range (Linux; 32768 where it cannot be read). The kernel picks every
 * connection's local port, and every `listen(0)` port, from that range and from nowhere else.
 */
const EPHEMERAL_LOW = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
})();

/** Ports from `first` on, `count` of them: where `freePorts` looks. */
export interface PortRange {
  first: number;
  count: number;
}

/** Every port `freePorts` may hand out, unless narrowed: from LOWEST to just below the ephemeral range. */
export const STABLE_PORTS: PortRange = { first: LOWEST, count: Math.max(1, EPHEMERAL_LOW - LOWEST) };

// Where the next search starts, moved on by every port handed out: one process never hands out a port twice until it
// has gone round its range, and two processes start far apart.
let cursor = Math.floor(Math.random() * STABLE_PORTS.count);

/**
 * `n` distinct ports, each free now on every address and on the loopback. A port is often named before anything
 * listens on it (a service started later, or restarted on its port after a crash, as `npm start` restarts its
 * PostgreSQL). One the kernel handed out could meanwhile become the local end of any connection, even of a client
 * dialling that very port (a TCP self-connect), and the server could then not listen on it again. So these come from
 * below the kernel's ephemeral range, which the kernel never hands out by itself. `range` narrows the search (each
 * test worker searches a block of its own).
 */
export async function freePorts(n: number, range: PortRange = STABLE_PORTS): Promise<number[]> {
  const ports: number[] = [];
  for (let tried = 0; ports.length < n; tried++) {
    if (tried >= range.count) throw new Error(`no free port left in ${range.first}–${range.first + range.count - 1}`);
    const port = range.first + (cursor++ % range.count);
    if ((await canListen(port)) && (await canListen(port, '127.0.0.1'))) ports.push(port);
  }
  return ports;
}

/** One port, as `freePorts`. */
export async function freePort(range?: PortRange): Promise<number> {
  return (await freePorts(1, range))[0]!;
}

function canListen(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
