import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AssignmentRecord, MoveRecord, OrderRecord, Solution } from './solution.js';

export const SOLUTION_FILES = {
  assignments: 'solution_info_assignments.txt',
  orders: 'solution_info_orders.txt',
  couriers: 'solution_info_couriers.txt',
} as const;

/** Minutes as the files carry them: whole numbers bare, fractions (odd service times) with up to two decimals. */
const minutes = (value: number) => (Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100));

/** Writes the three files the official evaluator reads, single spaces between fields, moves in the order given. */
export async function writeSolution(dir: string, solution: Solution): Promise<void> {
  await mkdir(dir, { recursive: true });
  const assignments = ['assignment_time pickup_time courier orders'].concat(
    solution.assignments.map((a) => [minutes(a.assignmentTime), minutes(a.pickupTime), a.courierId, ...a.orderIds].join(' ')),
  );
  const orders = ['order placement_time ready_time pickup_time dropoff_time courier'].concat(
    solution.orders.map((o) => [o.orderId, minutes(o.placementTime), minutes(o.readyTime), minutes(o.pickupTime), minutes(o.dropoffTime), o.courierId].join(' ')),
  );
  const couriers = ['courier departure_time origin destination'].concat(
    solution.moves.map((m) => [m.courierId, minutes(m.departureTime), m.origin, m.destination].join(' ')),
  );
  await Promise.all([
    writeFile(path.join(dir, SOLUTION_FILES.assignments), assignments.join('\n') + '\n'),
    writeFile(path.join(dir, SOLUTION_FILES.orders), orders.join('\n') + '\n'),
    writeFile(path.join(dir, SOLUTION_FILES.couriers), couriers.join('\n') + '\n'),
  ]);
}

/** A solution file that cannot be read as the evaluator would: which file, which line, what is wrong. */
export class SolutionFormatError extends Error {
  constructor(file: string, line: number, reason: string) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'SolutionFormatError';
  }
}

/** Reads the three files back, strictly: the checker judges exactly what the evaluator will read. */
export async function readSolution(dir: string): Promise<Solution> {
  const lines = async (name: string, header: string) => {
    const file = path.join(dir, name);
    const all = (await readFile(file, 'utf8')).split('\n');
    if (all[0] !== header) throw new SolutionFormatError(file, 1, `the header must be "${header}"`);
    return all
      .map((text, i) => ({ text, line: i + 1, file }))
      .slice(1)
      .filter((l) => l.text !== '');
  };
  const num = (l: { file: string; line: number }, field: string, text: string | undefined) => {
    const value = Number(text);
    if (text === undefined || text === '' || !Number.isFinite(value)) throw new SolutionFormatError(l.file, l.line, `${field} must be a number, not ${JSON.stringify(text)}`);
    return value;
  };
  const fields = (l: { text: string; file: string; line: number }, min: number, max = min) => {
    const parts = l.text.split(' ');
    if (parts.length < min || parts.length > max || parts.some((p) => p === '')) {
      throw new SolutionFormatError(l.file, l.line, `expected ${min === max ? min : `at least ${min}`} fields separated by single spaces`);
    }
    return parts;
  };
  const assignments: AssignmentRecord[] = (await lines(SOLUTION_FILES.assignments, 'assignment_time pickup_time courier orders')).map((l) => {
    const [at, pickup, courierId, ...orderIds] = fields(l, 4, Infinity);
    return { assignmentTime: num(l, 'assignment_time', at), pickupTime: num(l, 'pickup_time', pickup), courierId: courierId!, orderIds };
  });
  const orders: OrderRecord[] = (await lines(SOLUTION_FILES.orders, 'order placement_time ready_time pickup_time dropoff_time courier')).map((l) => {
    const [orderId, placement, ready, pickup, dropoff, courierId] = fields(l, 6);
    return {
      orderId: orderId!,
      placementTime: num(l, 'placement_time', placement),
      readyTime: num(l, 'ready_time', ready),
      pickupTime: num(l, 'pickup_time', pickup),
      dropoffTime: num(l, 'dropoff_time', dropoff),
      courierId: courierId!,
    };
  });
  const moves: MoveRecord[] = (await lines(SOLUTION_FILES.couriers, 'courier departure_time origin destination')).map((l) => {
    const [courierId, departure, origin, destination] = fields(l, 4);
    return { courierId: courierId!, departureTime: num(l, 'departure_time', departure), origin: origin!, destination: destination! };
  });
  return { assignments, orders, moves };
}
