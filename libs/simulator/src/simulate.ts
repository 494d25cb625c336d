import { performance } from 'node:perf_hooks';
import { VirtualClock } from './clock.js';
import type { Instance, Order } from './instance.js';
import { measure, type Measures } from './measures.js';
import type { Policy } from './policy.js';
import type { Solution } from './solution.js';
import { World } from './world.js';

export interface SimulationResult {
  policy: string;
  solution: Solution;
  measures: Measures;
  /** Wall time of each round the policy was asked (ms), and of the whole run. */
  roundMs: number[];
  runMs: number;
}

/**
 * Replays an instance through a policy in simulated time: each minute, from the first placement or shift to the
 * last off time, the orders placed by then join the waiting ones and the policy decides; the world carries out
 * its instructions under the rules (and refuses any that breaks one, which ends the run with the reason).
 */
export function simulate(instance: Instance, policy: Policy): SimulationResult {
  const started = performance.now();
  const world = new World(instance);
  const incoming = [...instance.orders].sort((a, b) => a.placementTime - b.placementTime || (a.id < b.id ? -1 : 1));
  const start = Math.min(incoming[0]?.placementTime ?? 0, ...instance.couriers.map((c) => c.onTime));
  const end = Math.max(0, ...instance.couriers.map((c) => c.offTime));
  const clock = new VirtualClock(start, end);
  let waiting: Order[] = [];
  let next = 0;
  const roundMs: number[] = [];
  do {
    const now = clock.now;
    while (next < incoming.length && incoming[next]!.placementTime <= now) waiting.push(incoming[next++]!);
    if (waiting.length === 0) {
      if (next === incoming.length) break;
      continue;
    }
    const t0 = performance.now();
    const instructions = policy.decide({ instance, now, waiting, couriers: world.courierViews() });
    roundMs.push(performance.now() - t0);
    for (const instruction of instructions) world.apply(now, instruction);
    if (instructions.length > 0) waiting = waiting.filter((o) => !world.isAssigned(o.id));
  } while (clock.tick());
  return { policy: policy.name, solution: world.solution, measures: measure(instance, world.solution), roundMs, runMs: performance.now() - started };
}
