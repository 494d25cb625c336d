import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** What the official evaluator said of a solution: its verdict, and the figures it measured (to hold ours to). */
export interface EvaluatorVerdict {
  feasible: boolean;
  /** The feasibility report's lines that are not OK, when infeasible. */
  problems: string[];
  delivered: number | null;
  clickToDoorMean: number | null;
  clickToDoorP90: number | null;
}

/** Where the official evaluator and a Python with pandas are, if they are. */
export interface EvaluatorSetup {
  script: string;
  python: string;
}

/** The evaluator beside the repository (`../shared/mdrp`) and Debian's python3 (which has pandas), when both exist. */
export function findEvaluator(repoRoot: string, python = '/usr/bin/python3'): EvaluatorSetup | null {
  const script = path.resolve(repoRoot, '..', 'shared', 'mdrp', 'compute_performance_summary.py');
  if (!existsSync(script) || !existsSync(python)) return null;
  const probe = spawnSync(python, ['-c', 'import pandas, numpy'], { encoding: 'utf8' });
  return probe.status === 0 ? { script, python } : null;
}

/** Runs the official evaluator (compute_performance_summary.py) on a solution folder, writing its report to `reportDir`. */
export function runOfficialEvaluator(setup: EvaluatorSetup, instanceDir: string, solutionDir: string, reportDir: string): EvaluatorVerdict {
  const run = spawnSync(setup.python, [setup.script, `instance_dir=${instanceDir}`, `input_dir=${solutionDir}`, `output_dir=${reportDir}`], {
    encoding: 'utf8',
    cwd: reportDir,
  });
  const feasibility = path.join(reportDir, 'feasibility_check.txt');
  if (run.status !== 0 || !existsSync(feasibility)) {
    return { feasible: false, problems: [`the evaluator failed (exit ${run.status}): ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' | ')}`], delivered: null, clickToDoorMean: null, clickToDoorP90: null };
  }
  const lines = readFileSync(feasibility, 'utf8').split('\n');
  const feasible = lines.some((line) => line.trim() === 'FEASIBLE');
  const performance = path.join(reportDir, 'solution_performance.txt');
  let delivered: number | null = null;
  let clickToDoorMean: number | null = null;
  let clickToDoorP90: number | null = null;
  if (feasible && existsSync(performance)) {
    const text = readFileSync(performance, 'utf8');
    delivered = Number(/number of orders delivered: (\d+)/.exec(text)?.[1] ?? NaN);
    // The first table's first column is click-to-door.
    clickToDoorMean = Number(/^mean\s+([\d.]+)/m.exec(text)?.[1] ?? NaN);
    clickToDoorP90 = Number(/^90%\s+([\d.]+)/m.exec(text)?.[1] ?? NaN);
  }
  return { feasible, problems: feasible ? [] : lines.filter((l) => l.trim() !== '' && !/OK\s*$/.test(l) && l.trim() !== 'INFEASIBLE'), delivered, clickToDoorMean, clickToDoorP90 };
}
