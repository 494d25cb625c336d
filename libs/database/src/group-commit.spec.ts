import { describe, expect, it } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { GroupCommit } from './group-commit.js';

/** A fake store with a unique key, whose writes complete when the test says so. */
function store() {
  const keys = new Set<string>();
  const batches: string[][] = [];
  const gates: Array<() => void> = [];
  const gate = () => new Promise<void>((resolve) => gates.push(resolve));
  const insert = (key: string) => {
    if (keys.has(key)) throw new Error(`duplicate ${key}`);
    keys.add(key);
    return `id-${key}`;
  };
  return {
    batches,
    open: () => gates.splice(0).forEach((g) => g()),
    writeMany: async (items: string[]) => {
      await gate();
      batches.push(items);
      const snapshot = new Set(keys);
      try {
        return items.map(insert);
      } catch (error) {
        keys.clear();
        snapshot.forEach((k) => keys.add(k)); // all or nothing
        throw error;
      }
    },
    writeOne: async (item: string) => {
      await gate();
      batches.push([item]);
      return insert(item);
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('writes a lone item at once, and batches what arrives while a write is in flight', async () => {
    const s = store();
    const sut = new GroupCommit(s.writeMany, s.writeOne, { maxBatch: 3, maxInFlight: 1 });
    const first = sut.submit('a');
    const rest = ['b', 'c', 'd', 'e'].map((k) => sut.submit(k));
    s.open();
    await expect(first).resolves.toBe('id-a');
    await flush();
    s.open();
    await flush();
    s.open();
    await expect(Promise.all(rest)).resolves.toEqual(['id-b', 'id-c', 'id-d', 'id-e']);
    expect(s.batches).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
  });

  it('with gather: turn, sends what was submitted in one turn of the event loop together, even with nothing in flight', async () => {
    const s = store();
    const sut = new GroupCommit(s.writeMany, s.writeOne, { maxBatch: 3, maxInFlight: 2, gather: 'turn' });
    const first = ['a', 'b', 'c', 'd'].map((k) => sut.submit(k));
    await flush();
    s.open();
    await flush();
    s.open();
    await expect(Promise.all(first)).resolves.toEqual(['id-a', 'id-b', 'id-c', 'id-d']);
    // Later, alone in its turn: alone in its write.
    const later = sut.submit('e');
    await flush();
    s.open();
    await expect(later).resolves.toBe('id-e');
    expect(s.batches).toEqual([['a', 'b', 'c'], ['d'], ['e']]);
  });

  it('gives each caller its own error when a batch fails, and stores the others', async () => {
    const s = store();
    const sut = new GroupCommit(s.writeMany, s.writeOne, { maxBatch: 10, maxInFlight: 1 });
    const first = sut.submit('x');
    const results = ['y', 'x', 'z'].map((k) => sut.submit(k).then((id) => ({ id }), (error: Error) => ({ error: error.message })));
    s.open();
    await first;
    for (let i = 0; i < 5; i++) {
      await flush();
      s.open();
    }
    await expect(Promise.all(results)).resolves.toEqual([{ id: 'id-y' }, { error: 'duplicate x' }, { id: 'id-z' }]);
    // The failed batch was undone whole, then each item was written alone.
    expect(s.batches).toEqual([['x'], ['y', 'x', 'z'], ['y'], ['x'], ['z']]);
  });

  it("writes a lone item in its caller's async context, and a batch of several callers' items in none of theirs", async () => {
    const { context, seen, gates, sut } = contextRecorder(10);

    const first = context.run('caller a', () => sut.submit('a'));
    await flush();
    // b and c wait while a is written; a's completion starts their batch, in a's continuation.
    const later = [context.run('caller b', () => sut.submit('b')), context.run('caller c', () => sut.submit('c'))];
    gates.splice(0).forEach((open) => open());
    await first;
    await flush();
    const lone = context.run('caller d', () => sut.submit('d'));
    gates.splice(0).forEach((open) => open());
    await Promise.all(later);
    await flush();
    gates.splice(0).forEach((open) => open());
    await lone;

    expect(seen).toEqual([
      { items: ['a'], context: 'caller a' },
      { items: ['b', 'c'], context: undefined },
      { items: ['d'], context: 'caller d' },
    ]);
  });

  it("writes an item that waited in the queue and then went alone in its own caller's context, not the one that freed it", async () => {
    const { context, seen, gates, sut } = contextRecorder(1);

    const first = context.run('caller a', () => sut.submit('a'));
    await flush();
    // b waits behind a; a's completion writes b (alone: batches of one) from a's continuation.
    const waiting = context.run('caller b', () => sut.submit('b'));
    gates.splice(0).forEach((open) => open());
    await first;
    await flush();
    gates.splice(0).forEach((open) => open());
    await waiting;

    expect(seen).toEqual([
      { items: ['a'], context: 'caller a' },
      { items: ['b'], context: 'caller b' },
    ]);
  });
});

/**
 * A GroupCommit whose writes record their items and the async context they ran in, each held until its gate opens;
 * batches of at most `maxBatch`, one in flight.
 */
function contextRecorder(maxBatch: number) {
  const context = new AsyncLocalStorage<string>();
  const seen: Array<{ items: string[]; context: string | undefined }> = [];
  const gates: Array<() => void> = [];
  const record = async (items: string[]) => {
    seen.push({ items, context: context.getStore() });
    await new Promise<void>((resolve) => gates.push(resolve));
    return items;
  };
  const sut = new GroupCommit<string, string>(record, async (item) => (await record([item]))[0]!, { maxBatch, maxInFlight: 1 });
  return { context, seen, gates, sut };
}
