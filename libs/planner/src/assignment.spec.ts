import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { solveAssignment, type AssignmentProblem } from './assignment.js';

/** The cheapest total by trying every assignment: each row to one of its columns (each column once) or unassigned. */
function bruteForce(problem: AssignmentProblem): number {
  const used = new Set<number>();
  const search = (row: number): number => {
    if (row === problem.rows) return 0;
    let best = problem.unassigned[row]! + search(row + 1);
    for (const { column, cost } of problem.edges[row]!) {
      if (used.has(column)) continue;
      used.add(column);
      best = Math.min(best, cost + search(row + 1));
      used.delete(column);
    }
    return best;
  };
  return search(0);
}

const totalOf = (problem: AssignmentProblem, chosen: Int32Array) =>
  [...chosen].reduce((sum, column, row) => sum + (column < 0 ? problem.unassigned[row]! : problem.edges[row]!.find((e) => e.column === column)!.cost), 0);

const problems = fc
  .record({ rows: fc.integer({ min: 1, max: 6 }), columns: fc.integer({ min: 1, max: 6 }) })
  .chain(({ rows, columns }) =>
    fc.record({
      rows: fc.constant(rows),
      columns: fc.constant(columns),
      edges: fc.array(
        fc.uniqueArray(fc.record({ column: fc.integer({ min: 0, max: columns - 1 }), cost: fc.integer({ min: -50, max: 100 }) }), { selector: (e) => e.column, maxLength: columns }),
        { minLength: rows, maxLength: rows },
      ),
      unassigned: fc.array(fc.integer({ min: 0, max: 120 }), { minLength: rows, maxLength: rows }),
    }),
  );

describe('solveAssignment', () => {
  it('finds the cheapest assignment, every column used at most once, as trying them all does', () => {
    fc.assert(
      fc.property(problems, (problem) => {
        const chosen = solveAssignment(problem);
        const columns = [...chosen].filter((c) => c >= 0);
        expect(new Set(columns).size).toBe(columns.length);
        chosen.forEach((column, row) => column >= 0 && expect(problem.edges[row]!.some((e) => e.column === column)).toBe(true));
        expect(totalOf(problem, chosen)).toBe(bruteForce(problem));
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves a row unassigned when that is cheaper than taking the only column from a row that needs it more', () => {
    const chosen = solveAssignment({
      rows: 2,
      columns: 1,
      edges: [[{ column: 0, cost: 10 }], [{ column: 0, cost: 10 }]],
      unassigned: [15, 60],
    });
    expect([...chosen]).toEqual([-1, 0]);
  });
});
