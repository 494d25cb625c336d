import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Courier, Instance, InstanceParameters, Order, Restaurant } from './instance.js';

/** A malformed instance: which file, which line (1 is the header) and which field, with the value and why. */
export class InstanceError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}: field ${field} ${value === '' ? 'is empty' : `= ${JSON.stringify(value)}`}: ${reason}`);
    this.name = 'InstanceError';
  }
}

/** One data line of a tab-separated file, read field by field with the error naming where it is. */
class Row {
  constructor(
    private readonly file: string,
    readonly line: number,
    private readonly values: Map<string, string>,
  ) {}

  fail(field: string, reason: string): never {
    throw new InstanceError(this.file, this.line, field, this.values.get(field) ?? '', reason);
  }

  id(field: string): string {
    const value = this.values.get(field)!;
    if (!/^\S+$/.test(value)) this.fail(field, 'must be a non-empty id without spaces');
    if (value === '0') this.fail(field, 'must not be 0, which the solution files use for "the courier\'s start"');
    return value;
  }

  number(field: string, check: { min?: number; above?: number; integer?: boolean } = {}): number {
    const text = this.values.get(field)!;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) this.fail(field, 'must be a number');
    if (check.integer && !Number.isInteger(value)) this.fail(field, 'must be a whole number of minutes');
    if (check.min !== undefined && value < check.min) this.fail(field, `must be at least ${check.min}`);
    if (check.above !== undefined && !(value > check.above)) this.fail(field, `must be greater than ${check.above}`);
    return value;
  }
}

async function readTable(dir: string, name: string, columns: readonly string[]): Promise<Row[]> {
  const file = path.join(dir, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InstanceError(file, 0, '-', '', `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const header = lines[0]!.split('\t');
  for (const column of columns) {
    if (!header.includes(column)) throw new InstanceError(file, 1, column, '', `the header has no column "${column}" (tab-separated: ${columns.join(', ')})`);
  }
  const rows: Row[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const fields = lines[i]!.split('\t');
    if (fields.length !== header.length) {
      throw new InstanceError(file, i + 1, header[Math.min(fields.length, header.length - 1)]!, lines[i]!, `has ${fields.length} tab-separated fields, the header ${header.length}`);
    }
    rows.push(new Row(file, i + 1, new Map(header.map((column, k) => [column, fields[k]!]))));
  }
  return rows;
}

/**
 * Reads an instance folder (restaurants.txt, orders.txt, couriers.txt, instance_parameters.txt: tab-separated
 * with a header line) and checks it: numbers where numbers belong, whole minutes for times, ids unique across
 * the three kinds (the solution files and the evaluator put them in one namespace), every order's restaurant
 * known, food ready no earlier than the order was placed, shifts that end after they start.
 */
export async function readInstance(dir: string): Promise<Instance> {
  const [restaurantRows, orderRows, courierRows, parameterRows] = await Promise.all([
    readTable(dir, 'restaurants.txt', ['restaurant', 'x', 'y']),
    readTable(dir, 'orders.txt', ['order', 'x', 'y', 'placement_time', 'restaurant', 'ready_time']),
    readTable(dir, 'couriers.txt', ['courier', 'x', 'y', 'on_time', 'off_time']),
    readTable(dir, 'instance_parameters.txt', PARAMETER_COLUMNS),
  ]);
  const seen = new Map<string, string>();
  const unique = (row: Row, field: string, kind: string) => {
    const id = row.id(field);
    const before = seen.get(id);
    if (before) row.fail(field, `is already used by ${before}`);
    seen.set(id, `${kind} on line ${row.line}`);
    return id;
  };

  const restaurants = new Map<string, Restaurant>();
  for (const row of restaurantRows) {
    const id = unique(row, 'restaurant', 'a restaurant');
    restaurants.set(id, { id, x: row.number('x'), y: row.number('y') });
  }
  const orders: Order[] = orderRows.map((row) => {
    const id = unique(row, 'order', 'an order');
    const restaurantId = row.id('restaurant');
    if (!restaurants.has(restaurantId)) row.fail('restaurant', 'is not in restaurants.txt');
    const placementTime = row.number('placement_time', { min: 0, integer: true });
    const readyTime = row.number('ready_time', { min: 0, integer: true });
    if (readyTime < placementTime) row.fail('ready_time', `is before the order's placement_time ${placementTime}`);
    return { id, x: row.number('x'), y: row.number('y'), placementTime, restaurantId, readyTime };
  });
  const couriers: Courier[] = courierRows.map((row) => {
    const id = unique(row, 'courier', 'a courier');
    const onTime = row.number('on_time', { min: 0, integer: true });
    const offTime = row.number('off_time', { min: 0, integer: true });
    if (offTime <= onTime) row.fail('off_time', `must be after the courier's on_time ${onTime}`);
    return { id, x: row.number('x'), y: row.number('y'), onTime, offTime };
  });
  if (parameterRows.length !== 1) {
    throw new InstanceError(path.join(dir, 'instance_parameters.txt'), parameterRows.length === 0 ? 2 : 3, '-', '', `must have exactly one line of values, not ${parameterRows.length}`);
  }
  const p = parameterRows[0]!;
  const parameters: InstanceParameters = {
    metersPerMinute: p.number('meters_per_minute', { above: 0 }),
    pickupServiceMinutes: p.number('pickup service minutes', { min: 0 }),
    dropoffServiceMinutes: p.number('dropoff service minutes', { min: 0 }),
    targetClickToDoor: p.number('target click-to-door', { above: 0 }),
    maximumClickToDoor: p.number('maximum click-to-door', { above: 0 }),
    payPerOrder: p.number('pay per order', { min: 0 }),
    guaranteedPayPerHour: p.number('guaranteed pay per hour', { min: 0 }),
  };
  return { name: path.basename(path.resolve(dir)), restaurants, orders, couriers, parameters };
}

const PARAMETER_COLUMNS = [
  'meters_per_minute',
  'pickup service minutes',
  'dropoff service minutes',
  'target click-to-door',
  'maximum click-to-door',
  'pay per order',
  'guaranteed pay per hour',
] as const;
