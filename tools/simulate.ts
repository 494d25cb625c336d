import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  checkSolution,
  findEvaluator,
  GreedyPolicy,
  InstanceError,
  PlannerPolicyRunner,
  readInstance,
  readSolution,
  runOfficialEvaluator,
  simulate,
  writeSolution,
  type EvaluatorSetup,
  type EvaluatorVerdict,
  type Instance,
  type Measures,
  type SimulationResult,
  type Violation,
} from '#simulator';

/**
 * `npm run simulate -- --instance <dir> --out <dir> [--policy planner|greedy]`: replays one meal-delivery
 * instance through a policy in simulated time, writes the three solution files the official evaluator reads to
 * --out, checks them with the simulator's rule checker, and prints the run's measures beside the instance's
 * lower bound and, in the same run, the greedy baseline (today's time-blind dispatch).
 *
 * `npm run simulate -- --all <folder> [--out <dir>] [--evaluate] [--held-out 3,4]`: every instance in the
 * folder through the planner and greedy, one row each, then the averages, over all instances and split into the
 * seeds tuned on and the held-out seeds. With --evaluate every solution also goes through the official
 * evaluator (`../shared/mdrp/compute_performance_summary.py` with /usr/bin/python3, or --evaluator and
 * --python). Exits 1 if any solution breaks a rule, by either checker.
 */

const repoRoot = path.resolve(fileURLToPath(import.meta.url), '..', '..', '..');

interface Run {
  result: SimulationResult;
  violations: Violation[];
  evaluator: EvaluatorVerdict | null;
}

async function runPolicy(instance: Instance, dir: string, policy: 'planner' | 'greedy', out: string, evaluator: EvaluatorSetup | null): Promise<Run> {
  const result = simulate(instance, policy === 'planner' ? new PlannerPolicyRunner(instance) : new GreedyPolicy());
  await writeSolution(out, result.solution);
  // Checked as written: exactly what the evaluator will read.
  const violations = checkSolution(instance, await readSolution(out));
  const verdict = evaluator ? runOfficialEvaluator(evaluator, path.resolve(dir), path.resolve(out), path.resolve(out)) : null;
  if (verdict?.feasible && (verdict.delivered !== result.measures.delivered || Math.abs(verdict.clickToDoorMean! - result.measures.clickToDoorMean) > 0.006)) {
    verdict.problems.push(`the evaluator measured ${verdict.delivered} delivered, click-to-door ${verdict.clickToDoorMean}; the simulator ${result.measures.delivered}, ${result.measures.clickToDoorMean.toFixed(2)}`);
  }
  return { result, violations, evaluator: verdict };
}

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-');
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '-');
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '-');
const ratio = (m: Measures) => m.clickToDoorMean / m.lowerBoundMean;
const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

function verdictOf(run: Run): string {
  const own = run.violations.length === 0 ? 'ok' : `${run.violations.length} broken`;
  if (!run.evaluator) return own;
  return `${own}, ${run.evaluator.feasible && run.evaluator.problems.length === 0 ? 'FEASIBLE' : 'INFEASIBLE'}`;
}

function problems(name: string, runs: Run[]): string[] {
  return runs.flatMap((run) => [
    ...run.violations.slice(0, 5).map((v) => `${name} ${run.result.policy}: ${v.rule} ${v.detail}`),
    ...(run.evaluator?.problems ?? []).slice(0, 5).map((p) => `${name} ${run.result.policy}: evaluator: ${p}`),
  ]);
}

async function one(dir: string, out: string, policy: 'planner' | 'greedy', evaluator: EvaluatorSetup | null): Promise<boolean> {
  const instance = await readInstance(dir);
  const main = await runPolicy(instance, dir, policy, out, evaluator);
  const runs = [main];
  if (policy === 'planner') runs.push(await runPolicy(instance, dir, 'greedy', await mkdtemp(path.join(tmpdir(), 'greedy-')), null));
  const m = main.result.measures;
  const rows: Array<[string, (r: Run) => string, string]> = [
    ['orders delivered', (r) => `${r.result.measures.delivered} of ${m.orders}`, `${m.deliverable} deliverable`],
    ['click-to-door mean (min)', (r) => f1(r.result.measures.clickToDoorMean), `${f1(m.lowerBoundMeanAll)} (lower bound)`],
    ['× the lower bound', (r) => f3(ratio(r.result.measures)), '1.000'],
    ['click-to-door p90 (min)', (r) => f1(r.result.measures.clickToDoorP90), f1(m.lowerBoundP90)],
    [`over ${instance.parameters.targetClickToDoor} min`, (r) => pct(r.result.measures.overTarget), ''],
    ['ready-to-pickup mean (min)', (r) => f1(r.result.measures.readyToPickupMean), '0.0'],
    ['courier utilisation', (r) => pct(r.result.measures.utilisation), ''],
    ['orders per courier-hour', (r) => f3(r.result.measures.ordersPerCourierHour), `${f3(m.ceilingPerCourierHour)} (ceiling)`],
    ['orders per bundle', (r) => f2(r.result.measures.delivered / r.result.measures.bundles), ''],
    ['round p50 / p99 (ms)', (r) => roundTimes(r.result), ''],
    ['rules: our checker, evaluator', verdictOf, ''],
  ];
  console.log(`${instance.name}: ${m.orders} orders, ${instance.couriers.length} couriers; ${policy}'s solution in ${out}\n`);
  console.log(`| measure | ${runs.map((r) => r.result.policy).join(' | ')} | bound |`);
  console.log(`|---|${runs.map(() => '--:').join('|')}|--:|`);
  for (const [label, value, bound] of rows) console.log(`| ${label} | ${runs.map(value).join(' | ')} | ${bound} |`);
  const broken = problems(instance.name, runs);
  for (const line of broken) console.error(line);
  return broken.length === 0;
}

function roundTimes(result: SimulationResult): string {
  const sorted = [...result.roundMs].sort((a, b) => a - b);
  return `${f1(percentile(sorted, 50))} / ${f1(percentile(sorted, 99))}`;
}

async function all(folder: string, out: string, evaluator: EvaluatorSetup | null, heldOut: Set<string>): Promise<boolean> {
  const names: string[] = [];
  for (const name of (await readdir(folder)).sort()) if ((await stat(path.join(folder, name))).isDirectory()) names.push(name);
  const results: Array<{ name: string; planner: Run; greedy: Run }> = [];
  let ok = true;
  console.log(
    '| instance | orders | delivered P / G (deliverable) | click-to-door P / G / bound | × bound P / G | p90 P / G | over 40 min P / G | ready→pickup P / G | utilisation P / G | orders per courier-hour P / G / ceiling | rules: our checker, evaluator P / G |',
  );
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|');
  for (const name of names) {
    const dir = path.join(folder, name);
    const instance = await readInstance(dir);
    const planner = await runPolicy(instance, dir, 'planner', path.join(out, name, 'planner'), evaluator);
    const greedy = await runPolicy(instance, dir, 'greedy', path.join(out, name, 'greedy'), evaluator);
    const p = planner.result.measures;
    const g = greedy.result.measures;
    console.log(
      `| ${name} | ${p.orders} | ${p.delivered} / ${g.delivered} (${p.deliverable}) | ${f1(p.clickToDoorMean)} / ${f1(g.clickToDoorMean)} / ${f1(p.lowerBoundMean)} | ` +
        `${f3(ratio(p))} / ${f3(ratio(g))} | ${f1(p.clickToDoorP90)} / ${f1(g.clickToDoorP90)} | ${pct(p.overTarget)} / ${pct(g.overTarget)} | ` +
        `${f1(p.readyToPickupMean)} / ${f1(g.readyToPickupMean)} | ${pct(p.utilisation)} / ${pct(g.utilisation)} | ` +
        `${f3(p.ordersPerCourierHour)} / ${f3(g.ordersPerCourierHour)} / ${f3(p.ceilingPerCourierHour)} | ${verdictOf(planner)} / ${verdictOf(greedy)} |`,
    );
    const broken = problems(name, [planner, greedy]);
    for (const line of broken) console.error(line);
    ok &&= broken.length === 0;
    results.push({ name, planner, greedy });
  }
  const seedOf = (name: string) => /^(\d+)/.exec(name)?.[1] ?? '';
  const groups: Array<[string, typeof results]> = [['all instances', results]];
  if (heldOut.size > 0 && results.some((r) => heldOut.has(seedOf(r.name)))) {
    groups.push([`seeds not held out`, results.filter((r) => !heldOut.has(seedOf(r.name)))]);
    groups.push([`held-out seeds ${[...heldOut].join(', ')}`, results.filter((r) => heldOut.has(seedOf(r.name)))]);
  }
  console.log('\nAverages over instances (P planner, G greedy):\n');
  console.log('| instances | n | × bound P / G | click-to-door P / G / bound | p90 P / G | over 40 min P / G | delivered of deliverable P / G | orders per courier-hour ÷ ceiling P / G | round p50 / p99 ms P |');
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const [label, rs] of groups) {
    const avg = (pick: (r: (typeof results)[number]) => number) => rs.reduce((sum, r) => sum + pick(r), 0) / rs.length;
    const rounds = rs.flatMap((r) => r.planner.result.roundMs).sort((a, b) => a - b);
    const share = (run: 'planner' | 'greedy') => rs.reduce((s, r) => s + r[run].result.measures.delivered, 0) / rs.reduce((s, r) => s + r[run].result.measures.deliverable, 0);
    console.log(
      `| ${label} | ${rs.length} | ${f3(avg((r) => ratio(r.planner.result.measures)))} / ${f3(avg((r) => ratio(r.greedy.result.measures)))} | ` +
        `${f2(avg((r) => r.planner.result.measures.clickToDoorMean))} / ${f2(avg((r) => r.greedy.result.measures.clickToDoorMean))} / ${f2(avg((r) => r.planner.result.measures.lowerBoundMeanAll))} | ` +
        `${f2(avg((r) => r.planner.result.measures.clickToDoorP90))} / ${f2(avg((r) => r.greedy.result.measures.clickToDoorP90))} | ` +
        `${pct(avg((r) => r.planner.result.measures.overTarget))} / ${pct(avg((r) => r.greedy.result.measures.overTarget))} | ` +
        `${(share('planner') * 100).toFixed(2)}% / ${(share('greedy') * 100).toFixed(2)}% | ` +
        `${f3(avg((r) => r.planner.result.measures.ordersPerCourierHour / r.planner.result.measures.ceilingPerCourierHour))} / ${f3(avg((r) => r.greedy.result.measures.ordersPerCourierHour / r.greedy.result.measures.ceilingPerCourierHour))} | ` +
        `${f1(percentile(rounds, 50))} / ${f1(percentile(rounds, 99))} |`,
    );
  }
  const infeasible = results.filter((r) => verdictOf(r.planner).includes('INFEASIBLE') || verdictOf(r.greedy).includes('INFEASIBLE') || r.planner.violations.length + r.greedy.violations.length > 0);
  console.log(`\n${results.length * 2} solutions; ${infeasible.length === 0 ? 'every one' : `all but ${infeasible.length} instances'`} feasible by the simulator's rule checker${evaluator ? ' and the official evaluator' : ''}.`);
  return ok;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      instance: { type: 'string' },
      all: { type: 'string' },
      out: { type: 'string' },
      policy: { type: 'string', default: 'planner' },
      evaluate: { type: 'boolean', default: false },
      evaluator: { type: 'string' },
      python: { type: 'string', default: '/usr/bin/python3' },
      'held-out': { type: 'string', default: '3,4' },
    },
  });
  if (!values.instance === !values.all) throw new UsageError('give either --instance <dir> or --all <folder>');
  if (values.policy !== 'planner' && values.policy !== 'greedy') throw new UsageError(`--policy must be planner or greedy, not ${values.policy}`);
  let evaluator: EvaluatorSetup | null = null;
  if (values.evaluate) {
    evaluator = values.evaluator ? { script: path.resolve(values.evaluator), python: values.python } : findEvaluator(repoRoot, values.python);
    if (!evaluator) throw new UsageError(`--evaluate: no official evaluator at ../shared/mdrp or no pandas for ${values.python} (give --evaluator and --python)`);
  }
  const out = values.out ?? (await mkdtemp(path.join(tmpdir(), 'simulate-')));
  const ok = values.instance
    ? await one(values.instance, out, values.policy, evaluator)
    : await all(values.all!, out, evaluator, new Set(values['held-out'].split(',').filter(Boolean)));
  return ok ? 0 : 1;
}

class UsageError extends Error {}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof InstanceError || error instanceof UsageError) console.error(error.message);
    else console.error(error);
    process.exit(2);
  },
);
