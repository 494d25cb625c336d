import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { freePorts, STABLE_PORTS } from './ports.js';

const listening: Server[] = [];
const occupy = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
    listening.push(server);
  });

describe('freePorts', () => {
  afterAll(async () => {
    await Promise.all(listening.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('hands out distinct ports below the kernel ephemeral range, each free to listen on', async () => {
    const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await freePorts(20);
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(STABLE_PORTS.first);
      expect(port).toBeLessThan(ephemeralLow);
    }
    // Free now: a server takes each at once.
    for (const port of ports.slice(0, 3)) await occupy(port);
  });

  it('skips a port something listens on, and says which range is full when none is left', async () => {
    const [taken] = await freePorts(1);
    await occupy(taken!);
    await expect(freePorts(1, { first: taken!, count: 1 })).rejects.toThrow(`no free port left in ${taken}–${taken}`);
    expect(await freePorts(1, { first: taken!, count: 2 })).toEqual([taken! + 1]);
  });
});
