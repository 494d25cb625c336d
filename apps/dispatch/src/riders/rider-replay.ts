import { randomBytes } from 'node:crypto';

/** One event as sent to a rider, numbered in that rider's stream. */
export interface SentEvent {
  seq: number;
  event: string;
  payload: unknown;
  /** When it was sent (ms since the epoch), for its age in the buffer. */
  at: number;
}

/** What a reconnecting app gets: the events it missed, in order, or word to rebuild its screen from the snapshot. */
export type Resumption = { replay: SentEvent[] } | { rebuild: 'unknown_stream' | 'too_old' | 'ahead' };

interface Stream {
  seq: number;
  events: SentEvent[];
}

/**
 * Each rider's stream of events: a number for each event sent to the rider (one sequence for all its devices),
 * and the last events kept for `keepMs` (at most `maxEvents` a rider) so an app that lost its connection can be
 * sent what it missed. Numbers start again only when dispatch restarts, and `epoch` (new each start) tells an app
 * its numbers belong to another run. Memory is bounded by riders × `maxEvents`; `prune` drops what aged out.
 */
export class RiderReplayBuffer {
  readonly epoch = randomBytes(6).toString('base64url');
  private readonly streams = new Map<string, Stream>();

  constructor(
    private readonly keepMs: number,
    private readonly maxEvents: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Numbers the event and keeps it; returns its number. */
  append(riderId: string, event: string, payload: unknown): number {
    let stream = this.streams.get(riderId);
    if (!stream) this.streams.set(riderId, (stream = { seq: 0, events: [] }));
    const sent = { seq: ++stream.seq, event, payload, at: this.now() };
    stream.events.push(sent);
    if (stream.events.length > this.maxEvents) stream.events.shift();
    return sent.seq;
  }

  /** The number of the last event sent to the rider (0 before any). */
  lastSeq(riderId: string): number {
    return this.streams.get(riderId)?.seq ?? 0;
  }

  /** What to send an app that last saw event `lastSeq` of this run (`epoch`). */
  resume(riderId: string, epoch: string, lastSeq: number): Resumption {
    if (epoch !== this.epoch) return { rebuild: 'unknown_stream' };
    const stream = this.streams.get(riderId);
    if (stream && lastSeq < stream.seq) this.pruneStream(stream, this.now());
    return resumeStream(stream?.seq ?? 0, stream?.events ?? [], lastSeq);
  }

  /** Drops events older than `keepMs` from every stream; returns how many events are kept. */
  prune(): number {
    const now = this.now();
    let kept = 0;
    for (const stream of this.streams.values()) kept += this.pruneStream(stream, now);
    return kept;
  }

  /** How many events are kept now, and for how many riders. */
  size(): { riders: number; events: number } {
    let events = 0;
    for (const stream of this.streams.values()) events += stream.events.length;
    return { riders: this.streams.size, events };
  }

  private pruneStream(stream: Stream, now: number): number {
    const cutoff = now - this.keepMs;
    let drop = 0;
    while (drop < stream.events.length && stream.events[drop]!.at < cutoff) drop++;
    if (drop > 0) stream.events.splice(0, drop);
    return stream.events.length;
  }
}

/**
 * What an app that last saw event `lastSeq` of a stream now at `seq` missed, from the events still kept (in order,
 * those too old already dropped).
 */
export function resumeStream(seq: number, kept: SentEvent[], lastSeq: number): Resumption {
  if (lastSeq > seq) return { rebuild: 'ahead' };
  if (lastSeq === seq) return { replay: [] };
  const first = kept[0]?.seq;
  // Every event after lastSeq must still be here, or the app would miss some without knowing.
  if (first === undefined || first > lastSeq + 1) return { rebuild: 'too_old' };
  return { replay: kept.filter((sent) => sent.seq > lastSeq) };
}
