import os from 'node:os';
import { createRiderIndex } from '#planner';
import { RiderPresenceStore } from '../apps/dispatch/src/riders/rider-presence.store.js';
import { fmt, rng } from './support.js';

/**
 * What mirroring another instance's riders costs an instance (docs/clustering.md): BENCH_RIDERS riders (default
 * 10,000) on another instance, each reporting a position every 5 s, arrive as the presence channel carries them
 * (JSON batches of BENCH_BATCH riders, default 200) and are parsed and applied to a RiderPresenceStore over the grid
 * index, for BENCH_ROUNDS rounds (default 10, every rider once a round). Prints the CPU per position of each round
 * (the first ones warm the JIT) and what the last rounds' figure costs at the rate the riders report.
 *
 * npm run bench:presence-mirror
 */
const riders = Number(process.env.BENCH_RIDERS ?? 10_000);
const batch = Number(process.env.BENCH_BATCH ?? 200);
const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
const random = rng(7);
const store = new RiderPresenceStore({ heartbeatTimeoutMs: 30_000, maxSpeedKmh: 200 }, createRiderIndex('grid'));
const home = Array.from({ length: riders }, () => ({ lng: 126.85 + random() * 0.25, lat: 37.45 + random() * 0.2 }));
const start = Date.now();
const perRound: number[] = [];

for (let round = 0; round < rounds; round++) {
  const at = start + round * 5000;
  const texts: string[] = [];
  for (let first = 0; first < riders; first += batch) {
    const rows = [];
    for (let i = first; i < Math.min(riders, first + batch); i++) {
      const p = home[i]!;
      rows.push([`rider-${i}`, `agency-${i % 20}`, 1, 0, at, p.lng + (random() - 0.5) * 0.002, p.lat + (random() - 0.5) * 0.002, at, 1]);
    }
    texts.push(JSON.stringify({ from: 'other', riders: rows }));
  }
  const cpu = process.cpuUsage();
  for (const text of texts) {
    const message = JSON.parse(text) as { from: string; riders: Array<[string, string, number, number, number, number, number, number, number]> };
    for (const [riderId, agencyId, connected, onBreak, lastSeenAt, lng, lat, positionAt, located] of message.riders) {
      store.mirror(message.from, { riderId, agencyId, connected: connected === 1, onBreak: onBreak === 1, lastSeenAt, position: { lng, lat, at: new Date(positionAt) }, located: located === 1 });
    }
  }
  const used = process.cpuUsage(cpu);
  perRound.push((used.user + used.system) / riders);
}

const settled = perRound.slice(Math.floor(rounds / 2));
const mean = settled.reduce((a, b) => a + b, 0) / settled.length;
console.log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${riders} riders in batches of ${batch}`);
console.log(`CPU µs per mirrored position, round by round: ${perRound.map((v) => fmt(v, 1)).join(', ')}`);
console.log(`last ${settled.length} rounds: ${fmt(mean, 1)} µs a position; at ${fmt(riders / 5)} positions/s that is ${fmt((mean * riders) / 5 / 10_000, 2)} % of a core`);
