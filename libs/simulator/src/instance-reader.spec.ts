import { describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InstanceError, readInstance } from './instance-reader.js';

const GOOD = {
  'restaurants.txt': 'restaurant\tx\ty\nr1\t100\t200\nr2\t300\t400\n',
  'orders.txt': 'order\tx\ty\tplacement_time\trestaurant\tready_time\no1\t500\t600\t10\tr1\t25\no2\t700\t800\t12\tr2\t20\n',
  'couriers.txt': 'courier\tx\ty\ton_time\toff_time\nc1\t0\t0\t0\t90\n',
  'instance_parameters.txt':
    'meters_per_minute\tpickup service minutes\tdropoff service minutes\ttarget click-to-door\tmaximum click-to-door\tpay per order\tguaranteed pay per hour\n320\t4\t4\t40\t90\t10\t15\n',
};

async function instanceWith(changes: Partial<Record<keyof typeof GOOD, string | null>>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'instance-'));
  for (const [name, text] of Object.entries({ ...GOOD, ...changes })) if (text !== null) await writeFile(path.join(dir, name), text);
  return dir;
}

async function errorOf(changes: Partial<Record<keyof typeof GOOD, string | null>>): Promise<InstanceError> {
  const dir = await instanceWith(changes);
  try {
    await readInstance(dir);
  } catch (error) {
    return error as InstanceError;
  } finally {
    await rm(dir, { recursive: true });
  }
  throw new Error('the instance was accepted');
}

describe('readInstance', () => {
  it('reads a well-formed instance', async () => {
    const dir = await instanceWith({});
    const sut = await readInstance(dir);
    expect(sut.orders).toEqual([
      { id: 'o1', x: 500, y: 600, placementTime: 10, restaurantId: 'r1', readyTime: 25 },
      { id: 'o2', x: 700, y: 800, placementTime: 12, restaurantId: 'r2', readyTime: 20 },
    ]);
    expect(sut.couriers).toEqual([{ id: 'c1', x: 0, y: 0, onTime: 0, offTime: 90 }]);
    expect(sut.parameters.metersPerMinute).toBe(320);
    expect(sut.restaurants.get('r2')).toEqual({ id: 'r2', x: 300, y: 400 });
    await rm(dir, { recursive: true });
  });

  it.each<[string, Partial<Record<keyof typeof GOOD, string | null>>, string, number, string, RegExp]>([
    ['a number that is not one', { 'orders.txt': GOOD['orders.txt'].replace('\t700\t', '\tseven\t') }, 'orders.txt', 3, 'x', /must be a number/],
    ['a time that is not whole minutes', { 'couriers.txt': GOOD['couriers.txt'].replace('\t90', '\t90.5') }, 'couriers.txt', 2, 'off_time', /whole number of minutes/],
    ['a missing column', { 'couriers.txt': GOOD['couriers.txt'].replace('on_time', 'start') }, 'couriers.txt', 1, 'on_time', /no column/],
    ['a line with a field too few', { 'restaurants.txt': GOOD['restaurants.txt'].replace('r2\t300\t400', 'r2\t300') }, 'restaurants.txt', 3, 'y', /2 tab-separated fields/],
    ['an unknown restaurant', { 'orders.txt': GOOD['orders.txt'].replace('\tr2\t', '\tr9\t') }, 'orders.txt', 3, 'restaurant', /not in restaurants.txt/],
    ['food ready before the order', { 'orders.txt': GOOD['orders.txt'].replace('\t10\tr1\t25', '\t10\tr1\t5') }, 'orders.txt', 2, 'ready_time', /before the order's placement_time 10/],
    ['an id used twice', { 'couriers.txt': GOOD['couriers.txt'] + 'o1\t5\t5\t0\t60\n' }, 'couriers.txt', 3, 'courier', /already used by an order on line 2/],
    ['a shift that ends as it starts', { 'couriers.txt': GOOD['couriers.txt'].replace('\t0\t90', '\t90\t90') }, 'couriers.txt', 2, 'off_time', /after the courier's on_time 90/],
    ['a speed of zero', { 'instance_parameters.txt': GOOD['instance_parameters.txt'].replace('\n320\t', '\n0\t') }, 'instance_parameters.txt', 2, 'meters_per_minute', /greater than 0/],
    ['a missing file', { 'couriers.txt': null }, 'couriers.txt', 0, '-', /cannot be read \(ENOENT\)/],
  ])('names the file, line and field of %s', async (_, changes, file, line, field, reason) => {
    const sut = await errorOf(changes);
    expect(sut).toBeInstanceOf(InstanceError);
    expect({ file: path.basename(sut.file), line: sut.line, field: sut.field }).toEqual({ file, line, field });
    expect(sut.message).toMatch(reason);
    expect(sut.message).toContain(`${file}:${line}: field ${field}`);
  });
});
