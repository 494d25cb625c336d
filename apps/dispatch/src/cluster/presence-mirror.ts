import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { DispatchWakeup } from '../offers/dispatch-wakeup.js';
import { RiderPresenceStore, type LocalPresence, type PresenceChange } from '../riders/rider-presence.store.js';
import { ClusterRedis } from './cluster-redis.js';

/** One rider in a presence message: id, agency, connected, on break, last seen (ms), lng, lat, position's ms, located. */
type Row = [string, string, 0 | 1, 0 | 1, number | null, number | null, number | null, number | null, 0 | 1];

/**
 * What instances publish on the presence channel: changes (or all of its riders), with `hello` to ask the others for
 * all of theirs, or `bye` when it stops (its riders are offline at once, not after the timeout).
 */
interface PresenceMessage {
  from: string;
  riders: Row[];
  hello?: true;
  bye?: true;
}

/** Riders in one message when an instance tells all of its riders. */
const FULL_CHUNK = 1000;

/**
 * Presence and positions shared between dispatch instances: each instance publishes, in batches, what changed for
 * the riders connected to it, and mirrors what the others publish into its own RiderPresenceStore, so its
 * RIDER_INDEX (read by the planner in memory, no round trip on the order→offer path) and its board show every
 * rider. Each batch is also a sign of life: an instance unheard for DISPATCH_CLUSTER_INSTANCE_TIMEOUT_MS is gone,
 * and its riders are offline until they reconnect (at once when it says `bye` on stopping). A newcomer, or one back after an outage, says `hello` and is sent
 * everyone's riders.
 */
@Injectable()
export class PresenceMirror implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('cluster');
  private readonly channelName: string;
  /** Riders whose change through this instance's sockets is not published yet. */
  private readonly dirty = new Set<string>();
  /** When each rider's last seen time was last published: a sign of life is published only when the last is getting old. */
  private readonly seenPublished = new Map<string, number>();
  /** When each other instance was last heard. */
  private readonly instances = new Map<string, number>();
  private readonly seenEveryMs: number;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: ClusterRedis,
    private readonly presence: RiderPresenceStore,
    private readonly wakeup: DispatchWakeup,
  ) {
    this.channelName = `${redis.prefix}presence`;
    this.seenEveryMs = config.dispatch.riderHeartbeatTimeoutMs / 10;
    redis.on(this.channelName, (message) => this.received(message));
    redis.onReady(() => void this.publishAll(true));
    redis.onClose(() => this.publish({ from: redis.instanceId, riders: [], bye: true }));
    // Riders on other instances cannot be sent an offer while Redis is away: not candidates until it is back (`hello`).
    redis.onLost(() => this.forgetInstances());
    presence.watch((riderId, change) => this.changed(riderId, change));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.config.dispatchCluster.presenceBatchMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Publishes what changed since the last batch (an empty batch says this instance is alive), and forgets silent instances. */
  private tick(): void {
    const now = Date.now();
    for (const [instance, heardAt] of this.instances) {
      if (now - heardAt <= this.config.dispatchCluster.instanceTimeoutMs) continue;
      this.instances.delete(instance);
      this.presence.forgetInstance(instance);
      this.logger.warn(`dispatch instance ${instance} is silent: its riders are offline here until they reconnect`);
    }
    const riders = [...this.dirty];
    this.dirty.clear();
    void this.publish({ from: this.redis.instanceId, riders: this.rows(riders) });
  }

  private forgetInstances(): void {
    if (this.instances.size === 0) return;
    for (const instance of this.instances.keys()) this.presence.forgetInstance(instance);
    this.instances.clear();
    this.logger.warn('Redis is unreachable: riders on other instances are offline here until it is back');
  }

  private changed(riderId: string, change: PresenceChange): void {
    if (this.dirty.has(riderId)) return;
    const now = Date.now();
    // Every message from a rider is a sign of life; one in a while is worth telling the others.
    if (change === 'seen' && now - (this.seenPublished.get(riderId) ?? 0) < this.seenEveryMs) return;
    this.seenPublished.set(riderId, now);
    this.dirty.add(riderId);
  }

  /** Every rider connected here, in chunks; `hello` asks the others for theirs. */
  private async publishAll(hello: boolean): Promise<void> {
    const rows = this.rows(this.presence.localRiders());
    if (hello) await this.publish({ from: this.redis.instanceId, riders: rows.splice(0, FULL_CHUNK), hello: true });
    while (rows.length > 0) await this.publish({ from: this.redis.instanceId, riders: rows.splice(0, FULL_CHUNK) });
  }

  private rows(riderIds: string[]): Row[] {
    const rows: Row[] = [];
    for (const riderId of riderIds) {
      const view = this.presence.localView(riderId);
      if (!view) continue;
      const { position: p } = view;
      rows.push([riderId, view.agencyId, view.connected ? 1 : 0, view.onBreak ? 1 : 0, view.lastSeenAt ?? null, p?.lng ?? null, p?.lat ?? null, p?.at.getTime() ?? null, view.located ? 1 : 0]);
      if (!view.connected) this.seenPublished.delete(riderId);
    }
    return rows;
  }

  private async publish(message: PresenceMessage): Promise<void> {
    if (!this.redis.connected) {
      // Told again in full once Redis is back.
      return;
    }
    await this.redis.commands.publish(this.channelName, JSON.stringify(message)).catch((error: Error) => this.redis.warn(`could not publish presence: ${error.message}`));
  }

  private received(text: string): void {
    const message = JSON.parse(text) as PresenceMessage;
    if (message.from === this.redis.instanceId) return;
    if (message.bye) {
      this.instances.delete(message.from);
      this.presence.forgetInstance(message.from);
      this.logger.log(`dispatch instance ${message.from} stopped: its riders are offline here until they reconnect`);
      return;
    }
    const known = this.instances.has(message.from);
    this.instances.set(message.from, Date.now());
    if (!known) this.logger.log(`dispatch instance ${message.from} is here`);
    let available = false;
    for (const row of message.riders) available = this.presence.mirror(message.from, viewOf(row)) || available;
    if (available) this.wakeup.wake();
    if (message.hello) void this.publishAll(false);
  }
}

function viewOf([riderId, agencyId, connected, onBreak, lastSeenAt, lng, lat, at, located]: Row): LocalPresence {
  return {
    riderId,
    agencyId,
    connected: connected === 1,
    onBreak: onBreak === 1,
    lastSeenAt: lastSeenAt ?? undefined,
    position: lng === null || lat === null || at === null ? undefined : { lng, lat, at: new Date(at) },
    located: located === 1,
  };
}
