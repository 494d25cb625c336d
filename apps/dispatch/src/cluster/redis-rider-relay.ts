import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '#config';
import { RiderChannel, type ResumeFrom, type RiderRelay, type SessionEnded } from '../riders/rider-channel.js';
import { resumeStream, type Resumption, type SentEvent } from '../riders/rider-replay.js';
import { ClusterRedis } from './cluster-redis.js';

/** Redis's own clock in ms, so every instance stamps and expires by one clock. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Numbers an event in the rider's stream (creating the stream, with a new epoch, if it is not there), keeps it in the
 * capped list, and publishes it to every other instance holding a socket of the rider (dropping instances whose entry
 * lapsed). One round trip; Redis runs it whole, so numbers are never given twice and are in the order of publication.
 * KEYS: stream, events, instances. ARGV: riderId, event, payload JSON, this instance, new epoch, keep ms, max events,
 * stream ttl ms, channel prefix.
 */
const SEND = `${NOW}
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[5])
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[8])
local entry = '[' .. seq .. ',' .. now .. ',"' .. ARGV[2] .. '",' .. ARGV[3] .. ']'
redis.call('RPUSH', KEYS[2], entry)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[7]), -1)
redis.call('PEXPIRE', KEYS[2], ARGV[6])
local at = redis.call('HGETALL', KEYS[3])
for i = 1, #at, 2 do
  if at[i] ~= ARGV[4] then
    if tonumber(at[i + 1]) < now then redis.call('HDEL', KEYS[3], at[i])
    else redis.call('PUBLISH', ARGV[9] .. at[i], '["' .. ARGV[1] .. '",' .. entry .. ']') end
  end
end
return seq`;

/** This instance holds a socket of the rider for `ttl` ms more. KEYS: instances. ARGV: this instance, ttl ms. */
const JOIN = `${NOW}
redis.call('HSET', KEYS[1], ARGV[1], now + tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * The stream's epoch and number (creating it if it is not there), and its kept events when the app's position is in
 * this run and behind. KEYS: stream, events. ARGV: new epoch, stream ttl ms, the app's epoch, the app's seq.
 */
const RESUME = `${NOW}
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'epoch', 'seq')
local seq = tonumber(s[2] or '0')
local kept = {}
if s[1] == ARGV[3] and tonumber(ARGV[4]) < seq then kept = redis.call('LRANGE', KEYS[2], 0, -1) end
return {s[1], seq, now, kept}`;

/** Publishes a message to every other instance holding a socket of the rider. KEYS: instances. ARGV: this instance, message, channel prefix. */
const ROUTE = `local at = redis.call('HKEYS', KEYS[1])
for _, instance in ipairs(at) do
  if instance ~= ARGV[1] then redis.call('PUBLISH', ARGV[3] .. instance, ARGV[2]) end
end
return #at`;

/** A stream outlives its kept events by far: while it exists its numbers go on, and an app keeps its place. */
const STREAM_TTL_MS = 24 * 3_600_000;

type Commands = {
  riderSend(...args: Array<string | number>): Promise<number>;
  riderJoin(...args: Array<string | number>): Promise<number>;
  riderResume(...args: Array<string | number>): Promise<[string, number, number, string[]]>;
  riderRoute(...args: Array<string | number>): Promise<number>;
};

/**
 * Riders' streams in Redis (RiderRelay): each rider's event numbers and last events are kept there, so a rider that
 * reconnects to any instance, after the one it was on died, is sent what it missed; and each event is published to
 * the channel of every instance holding a socket of the rider, which Redis knows from a per-rider hash of instances,
 * refreshed while the sockets stay and lapsing when an instance dies.
 */
@Injectable()
export class RedisRiderRelay implements RiderRelay, OnApplicationBootstrap, OnModuleDestroy {
  private readonly keepMs: number;
  private readonly maxEvents: number;
  private readonly refreshMs: number;
  private refreshing?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly redis: ClusterRedis,
    private readonly channel: RiderChannel,
  ) {
    this.keepMs = config.dispatch.riderReplaySeconds * 1000;
    this.maxEvents = config.dispatch.riderReplayMaxEvents;
    this.refreshMs = config.dispatchCluster.refreshMs;
    const commands = redis.commands;
    commands.defineCommand('riderSend', { numberOfKeys: 3, lua: SEND });
    commands.defineCommand('riderJoin', { numberOfKeys: 1, lua: JOIN });
    commands.defineCommand('riderResume', { numberOfKeys: 2, lua: RESUME });
    commands.defineCommand('riderRoute', { numberOfKeys: 1, lua: ROUTE });
    redis.on(redis.instanceChannel(redis.instanceId), (message) => this.received(message));
    // After an outage (Redis may have restarted empty), say again which riders are here.
    redis.onReady(() => void this.refresh());
    channel.useRelay(this);
  }

  onApplicationBootstrap(): void {
    this.refreshing = setInterval(() => void this.refresh(), this.refreshMs);
    this.refreshing.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.refreshing);
  }

  private get commands(): Commands {
    return this.redis.commands as unknown as Commands;
  }

  private key(kind: 'stream' | 'events' | 'at', riderId: string): string {
    return `${this.redis.prefix}${kind}:${riderId}`;
  }

  async send(riderId: string, event: string, payload: unknown): Promise<number> {
    try {
      return await this.commands.riderSend(
        this.key('stream', riderId),
        this.key('events', riderId),
        this.key('at', riderId),
        riderId,
        event,
        JSON.stringify(payload),
        this.redis.instanceId,
        newEpoch(),
        this.keepMs,
        this.maxEvents,
        STREAM_TTL_MS,
        this.redis.instanceChannel(''),
      );
    } catch (error) {
      this.redis.warn(`rider events reach only this instance's riders, unnumbered, while Redis is away: ${(error as Error).message}`);
      return 0;
    }
  }

  async joined(riderId: string): Promise<void> {
    await this.commands.riderJoin(this.key('at', riderId), this.redis.instanceId, 3 * this.refreshMs);
  }

  left(riderId: string): void {
    this.redis.commands.hdel(this.key('at', riderId), this.redis.instanceId).catch(() => {
      // Lapses by itself: the entry is no longer refreshed.
    });
  }

  async resume(riderId: string, from: ResumeFrom): Promise<{ epoch: string; seq: number; resumption: Resumption }> {
    const [epoch, seq, now, kept] = await this.commands.riderResume(
      this.key('stream', riderId),
      this.key('events', riderId),
      newEpoch(),
      STREAM_TTL_MS,
      from?.epoch ?? '',
      from?.seq ?? 0,
    );
    if (!from || from.epoch !== epoch) return { epoch, seq, resumption: { rebuild: 'unknown_stream' } };
    const cutoff = now - this.keepMs;
    const events = kept.map(parseEntry).filter((sent) => sent.at >= cutoff);
    return { epoch, seq, resumption: resumeStream(seq, events, from.seq) };
  }

  disconnect(riderId: string, ended?: SessionEnded): void {
    this.commands.riderRoute(this.key('at', riderId), this.redis.instanceId, JSON.stringify({ disconnect: riderId, ended }), this.redis.instanceChannel('')).catch((error: Error) => {
      this.redis.warn(`could not close rider ${riderId}'s sockets on other instances: ${error.message}`);
    });
  }

  /** Says again that this instance holds its riders' sockets, before their entries lapse. */
  async refresh(): Promise<void> {
    const riders = this.channel.localRiders();
    if (riders.length === 0 || !this.redis.connected) return;
    const pipeline = this.redis.commands.pipeline();
    for (const riderId of riders) (pipeline as unknown as Commands).riderJoin(this.key('at', riderId), this.redis.instanceId, 3 * this.refreshMs);
    await pipeline.exec().catch((error: Error) => this.redis.warn(`could not refresh where riders are: ${error.message}`));
  }

  /** A message on this instance's channel: an event for a rider here, or word to close its sockets. */
  private received(message: string): void {
    const parsed = JSON.parse(message) as [string, [number, number, string, unknown]] | { disconnect: string; ended?: SessionEnded };
    if (!Array.isArray(parsed)) {
      this.channel.disconnectHere(parsed.disconnect, parsed.ended);
      return;
    }
    const [riderId, [seq, , event, payload]] = parsed;
    this.channel.deliver(riderId, event, payload, seq);
  }
}

function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}

function parseEntry(entry: string): SentEvent {
  const [seq, at, event, payload] = JSON.parse(entry) as [number, number, string, unknown];
  return { seq, at, event, payload };
}
