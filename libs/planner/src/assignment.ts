/** An assignment problem: rows (bundles) that may each take one column (rider) or stay unassigned at a cost. */
export interface AssignmentProblem {
  rows: number;
  columns: number;
  /** Per row, the columns it may take and what each costs. */
  edges: ReadonlyArray<ReadonlyArray<{ column: number; cost: number }>>;
  /** Per row, what leaving it unassigned costs. */
  unassigned: ArrayLike<number>;
}

/**
 * The minimum-cost assignment: for each row its column, or -1 for unassigned. Exact: the shortest augmenting
 * path algorithm (Jonker–Volgenant; as scipy's linear_sum_assignment, Crouse 2016), one row at a time, each
 * search a Dijkstra over the sparse edges with a binary heap, and "unassigned" as a column of each row's own.
 *
 * Why not a package: we measured the maintained ones on this very problem (300 bundles × 500 riders, the
 * reference machine, 2026-12-05). `munkres` (Hungarian, dense) solved random matrices of that size in 3–6 ms
 * but the rounds' real matrices, full of equal costs, in 8–170 ms; `linear-sum-assignment` (dense
 * Jonker–Volgenant) 29 ms on random ones and pulls in ml-matrix; HiGHS built for WebAssembly (`highs`),
 * solving it as an LP, 280 ms, most of it building and parsing the model. A round's graph is sparse (a bundle
 * is worth giving only to riders that beat leaving it for later, and the caller keeps each bundle's cheapest
 * few), and this search touches only that graph: well under a millisecond a round.
 */
export function solveAssignment(problem: AssignmentProblem): Int32Array {
  const { rows, columns, edges, unassigned } = problem;
  const width = columns + rows; // column `columns + i` is row i's own "unassigned"
  const u = new Float64Array(rows);
  const v = new Float64Array(width);
  const rowOf = new Int32Array(width).fill(-1);
  const columnOf = new Int32Array(rows).fill(-1);
  const shortest = new Float64Array(width).fill(Infinity);
  const path = new Int32Array(width).fill(-1);
  const done = new Uint8Array(width);
  const touched: number[] = [];
  const scannedRows: number[] = [];
  const heap = new Heap();

  for (let start = 0; start < rows; start++) {
    let i = start;
    let lowest = 0;
    let sink = -1;
    scannedRows.length = 0;
    heap.clear();
    while (sink < 0) {
      scannedRows.push(i);
      const relax = (j: number, cost: number) => {
        if (done[j]) return;
        const reduced = lowest + cost - u[i]! - v[j]!;
        if (reduced < shortest[j]!) {
          if (shortest[j] === Infinity) touched.push(j);
          shortest[j] = reduced;
          path[j] = i;
          heap.push(reduced, j);
        }
      };
      for (const edge of edges[i]!) relax(edge.column, edge.cost);
      relax(columns + i, unassigned[i]!);
      let j = -1;
      while (heap.size > 0) {
        const next = heap.pop();
        if (!done[next] && heap.lastKey === shortest[next]) {
          j = next;
          break;
        }
      }
      if (j < 0) throw new Error('assignment: a row with no column (its own unassigned column is always open)');
      done[j] = 1;
      lowest = shortest[j]!;
      if (rowOf[j]! < 0) sink = j;
      else i = rowOf[j]!;
    }
    // Dual update, then the augmentation along the path found.
    u[start]! += lowest;
    for (const r of scannedRows) if (r !== start) u[r]! += lowest - shortest[columnOf[r]!]!;
    for (const j of touched) {
      if (done[j]) v[j]! -= lowest - shortest[j]!;
    }
    for (let j = sink; ; ) {
      const r = path[j]!;
      rowOf[j] = r;
      const previous = columnOf[r]!;
      columnOf[r] = j;
      if (r === start) break;
      j = previous;
    }
    for (const j of touched) {
      shortest[j] = Infinity;
      done[j] = 0;
      path[j] = -1;
    }
    touched.length = 0;
  }
  return columnOf.map((j) => (j >= columns ? -1 : j));
}

/** A binary min-heap of (key, value), ties to the smaller value, so the solution never depends on luck. */
class Heap {
  private keys: number[] = [];
  private values: number[] = [];
  lastKey = 0;

  get size(): number {
    return this.keys.length;
  }

  clear(): void {
    this.keys.length = 0;
    this.values.length = 0;
  }

  push(key: number, value: number): void {
    const { keys, values } = this;
    let at = keys.length;
    keys.push(key);
    values.push(value);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.less(at, parent)) break;
      this.swap(at, parent);
      at = parent;
    }
  }

  pop(): number {
    const { keys, values } = this;
    const value = values[0]!;
    this.lastKey = keys[0]!;
    const lastKey = keys.pop()!;
    const lastValue = values.pop()!;
    if (keys.length > 0) {
      keys[0] = lastKey;
      values[0] = lastValue;
      for (let at = 0; ; ) {
        const left = 2 * at + 1;
        const right = left + 1;
        let least = at;
        if (left < keys.length && this.less(left, least)) least = left;
        if (right < keys.length && this.less(right, least)) least = right;
        if (least === at) break;
        this.swap(at, least);
        at = least;
      }
    }
    return value;
  }

  private less(a: number, b: number): boolean {
    return this.keys[a]! < this.keys[b]! || (this.keys[a] === this.keys[b] && this.values[a]! < this.values[b]!);
  }

  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
    [this.values[a], this.values[b]] = [this.values[b]!, this.values[a]!];
  }
}
