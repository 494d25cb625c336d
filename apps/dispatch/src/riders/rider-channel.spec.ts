import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '#config';
import { RiderChannel, type ResumeFrom, type RiderConnection, type RiderRelay } from './rider-channel.js';
import type { Resumption } from './rider-replay.js';

/** A socket that records what it is sent, as [event, seq]. */
function socket(): RiderConnection & { sent: Array<[string, number | undefined]> } {
  const sent: Array<[string, number | undefined]> = [];
  return { sent, emit: (event, _payload, meta) => sent.push([event, meta?.seq]), disconnect: () => undefined };
}

/** A relay whose stream answers only when the test says, so events can arrive while a socket is being resumed. */
function relay(stream: { epoch: string; seq: number; resumption: Resumption }) {
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const calls: string[] = [];
  const sut: RiderRelay = {
    send: async () => 0,
    joined: async () => void calls.push('joined'),
    left: (riderId) => void calls.push(`left ${riderId}`),
    resume: async (_riderId: string, from: ResumeFrom) => {
      calls.push(`resume ${JSON.stringify(from)}`);
      await answered;
      return stream;
    },
    disconnect: (riderId) => void calls.push(`disconnect ${riderId}`),
  };
  return { sut, answer, calls };
}

describe('RiderChannel with a relay (dispatch as several instances)', () => {
  const config = loadConfig({});

  it('sends a resuming socket what it missed before what came meanwhile, each once, in the order of the stream', async () => {
    const kept = [4, 5].map((seq) => ({ seq, event: `missed ${seq}`, payload: {}, at: 0 }));
    const { sut: stream, answer, calls } = relay({ epoch: 'e1', seq: 5, resumption: { replay: kept } });
    const sut = new RiderChannel(config);
    sut.useRelay(stream);
    const app = socket();
    const opening = sut.open('r1', app, { resume: { epoch: 'e1', seq: 3 } });
    // Sent by other instances while the stream is read: one already in what is replayed, one after it.
    sut.deliver('r1', 'missed 5', {}, 5);
    sut.deliver('r1', 'live 6', {}, 6);
    expect(app.sent).toEqual([]);
    answer();
    await expect(opening).resolves.toMatchObject({ epoch: 'e1', resumption: { replay: kept } });
    sut.deliver('r1', 'live 7', {}, 7);
    expect(app.sent).toEqual([
      ['missed 4', 4],
      ['missed 5', 5],
      ['live 6', 6],
      ['live 7', 7],
    ]);
    expect(sut.lastSeq('r1')).toBe(7);
    expect(calls).toEqual(['joined', 'resume {"epoch":"e1","seq":3}']);

    sut.leave('r1', app);
    sut.disconnect('r1');
    expect(calls.slice(2)).toEqual(['left r1', 'disconnect r1']);
    sut.onModuleDestroy();
  });

  it('sends an app that does not resume only what comes after the stream was read, and still numbers its snapshot', async () => {
    const { sut: stream, answer } = relay({ epoch: 'e1', seq: 9, resumption: { rebuild: 'unknown_stream' } });
    const sut = new RiderChannel(config);
    sut.useRelay(stream);
    const app = socket();
    const opening = sut.open('r1', app);
    sut.deliver('r1', 'before', {}, 9);
    sut.deliver('r1', 'after', {}, 10);
    answer();
    await expect(opening).resolves.toEqual({ epoch: 'e1', resumption: undefined, replayed: [] });
    expect(app.sent).toEqual([['after', 10]]);
    expect(sut.lastSeq('r1')).toBe(10);
    sut.onModuleDestroy();
  });

  it('still serves its own sockets when the relay cannot number an event or read the stream', async () => {
    const sut = new RiderChannel(config);
    sut.useRelay({
      send: async () => 0,
      joined: () => Promise.reject(new Error('Redis is away')),
      left: () => undefined,
      resume: () => Promise.reject(new Error('Redis is away')),
      disconnect: () => undefined,
    });
    const app = socket();
    await expect(sut.open('r1', app, { resume: { epoch: 'e1', seq: 3 } })).resolves.toEqual({ epoch: '', resumption: { rebuild: 'unknown_stream' }, replayed: [] });
    sut.send('r1', 'delivery:cancelled', { deliveryId: 'd1' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(app.sent).toEqual([['delivery:cancelled', 0]]);
    sut.onModuleDestroy();
  });
});
