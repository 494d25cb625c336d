import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GreedyPolicy } from './greedy.policy.js';
import { readInstance } from './instance-reader.js';
import { findEvaluator, runOfficialEvaluator } from './official-evaluator.js';
import { PlannerPolicyRunner } from './planner.policy.js';
import { checkSolution } from './rule-checker.js';
import { simulate } from './simulate.js';
import { readSolution, writeSolution } from './solution-files.js';

/** The shared Grubhub instances sit beside the repository, in ../shared/mdrp; they are not copied into it. */
const repoRoot = path.resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const INSTANCE = path.resolve(repoRoot, '..', 'shared', 'mdrp', 'instances', '0o50t100s1p125');
const present = existsSync(INSTANCE);
if (!present) console.warn(`\n*** ${INSTANCE} is missing: the simulator's run on a shared instance is SKIPPED. ***\n`);
const evaluator = present ? findEvaluator(repoRoot) : null;
if (present && !evaluator) console.warn('\n*** no /usr/bin/python3 with pandas: the official evaluator check is SKIPPED (our own checker still runs). ***\n');

describe('simulate on a shared meal-delivery instance', () => {
  (present ? it : it.skip)('the planner delivers every order, within the rules as checked by our checker (half service times included), and does better than greedy', async () => {
    const instance = await readInstance(INSTANCE);
    const planner = simulate(instance, new PlannerPolicyRunner(instance));
    const greedy = simulate(instance, new GreedyPolicy());
    const out = await mkdtemp(path.join(tmpdir(), 'simulate-spec-'));
    try {
      await writeSolution(out, planner.solution);
      const written = await readSolution(out);
      expect(written).toEqual(planner.solution);
      expect(checkSolution(instance, written)).toEqual([]);
      expect(checkSolution(instance, greedy.solution)).toEqual([]);

      const p = planner.measures;
      const g = greedy.measures;
      expect(p.delivered).toBe(p.orders);
      expect(p.clickToDoorMean).toBeLessThan(g.clickToDoorMean);
      expect(p.clickToDoorMean).toBeGreaterThanOrEqual(p.lowerBoundMean);
      // Every delivered order is at or above its own lower bound: nothing arrives sooner than physics allows.
      const orders = new Map(instance.orders.map((o) => [o.id, o]));
      for (const row of written.orders) expect(row.pickupTime).toBeGreaterThanOrEqual(orders.get(row.orderId)!.readyTime);

      if (evaluator) {
        const verdict = runOfficialEvaluator(evaluator, INSTANCE, out, out);
        expect(verdict).toMatchObject({ feasible: true, problems: [], delivered: p.delivered });
        expect(verdict.clickToDoorMean).toBeCloseTo(p.clickToDoorMean, 2);
        expect(verdict.clickToDoorP90).toBeCloseTo(p.clickToDoorP90, 2);
      }
    } finally {
      await rm(out, { recursive: true });
    }
  });
});
