import munkres from 'munkres';

/** A cost no assignment takes while any other is open (a pair that may not be made). */
export const FORBIDDEN = 1e12;

/**
 * The minimum-cost assignment of rows to columns (rows ≤ columns): for each row, its column. One round's choice
 * of riders for bundles is exactly a linear sum assignment, which the Hungarian algorithm solves exactly in
 * O(rows² × columns). It runs on the `munkres` package: maintained, no dependencies, rectangular matrices of
 * typed arrays. Chosen by measurement on the reference machine (300 bundles × 500 riders plus a hold column per
 * bundle, 2026-12-05): munkres 3–6 ms; linear-sum-assignment (Jonker–Volgenant, pulls in ml-matrix) 29 ms;
 * HiGHS built for WebAssembly (the `highs` package), solving the same assignment as an LP, 280 ms, most of it
 * building and parsing the model, too slow for a round every few seconds and not needed since an assignment
 * LP's optimum is integral anyway.
 */
export function solveAssignment(costs: readonly Float64Array[]): Int32Array {
  const chosen = new Int32Array(costs.length).fill(-1);
  if (costs.length === 0) return chosen;
  for (const [row, column] of munkres(costs as Float64Array[])) chosen[row] = column;
  return chosen;
}
