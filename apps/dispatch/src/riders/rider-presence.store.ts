import type { LngLat } from '#contracts';
import { straightLineMeters } from '#maps';
import { DomainError } from '#platform';
import type { RiderIndex } from '#planner';

export interface RiderPosition extends LngLat {
  at: Date;
}

/** How the agency's board and the rider's app name where a rider stands. */
export type RiderState = 'online' | 'on_break' | 'silent' | 'offline';

export interface PresenceSettings {
  /** A connected rider with no message for longer than this is silent: out of matching until it speaks again. */
  heartbeatTimeoutMs: number;
  /** Faster than this from the last accepted position, a reported position is refused; 0: no check. */
  maxSpeedKmh: number;
}

/** Milliseconds since the epoch. Injected so tests move time themselves instead of waiting for it. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();

/** A last known position this young stands in for a fresh one when its rider reconnects. */
export const RESUME_POSITION_MS = 60_000;
/** How far ahead of the server's clock a reported `at` may be: phone clocks drift a little. */
export const FUTURE_AT_TOLERANCE_MS = 5_000;

interface Presence {
  agencyId: string;
  /** This instance's sockets of the rider. */
  sockets: Set<string>;
  /** Other dispatch instances holding a socket of the rider (see RiderPresenceStore.mirror). */
  elsewhere?: Set<string>;
  onBreak: boolean;
  /** When the rider last sent anything (or connected). */
  lastSeenAt?: number;
  /** Where the rider is matched: reported since it came online, or a young last known one it came back with. */
  position?: RiderPosition;
  /** The last position accepted, ever (restored from the database after a restart): the board's and the speed check's. */
  lastPosition?: RiderPosition;
}

/** What changed for a rider: a sign of life only, a position taken, or its connection or break. */
export type PresenceChange = 'seen' | 'moved' | 'state';

/** A rider as one dispatch instance sees it through its own sockets, as instances tell each other (cluster/). */
export interface LocalPresence {
  riderId: string;
  agencyId: string;
  /** Whether the instance holds a socket of the rider. */
  connected: boolean;
  onBreak: boolean;
  lastSeenAt?: number;
  /** The last accepted position, and whether the rider is matched at it (it may be offered work there). */
  position?: RiderPosition;
  located: boolean;
}

/** Riders' unsaved positions are kept in this many slices, by the last hex digit of the rider's id. */
export const POSITION_SLICES = 16;

function sliceOf(riderId: string): number {
  const digit = parseInt(riderId[riderId.length - 1] ?? '0', 16);
  return Number.isNaN(digit) ? riderId.charCodeAt(riderId.length - 1) % POSITION_SLICES : digit;
}

/**
 * Who is connected, on break or silent, and where, in memory: positions arrive every few seconds per rider.
 * The store feeds the RIDER_INDEX with exactly the riders who may be offered work now (connected, not on
 * break, not silent, located) and keeps the positions accepted since the last write for RiderPresenceKeeper
 * to persist in batches. With several dispatch instances, each mirrors the others' riders here (`mirror`), so
 * its index and board show every rider; only the instance holding a rider's socket checks and writes its positions.
 */
export class RiderPresenceStore {
  private readonly riders = new Map<string, Presence>();
  /** The riders in the index, by agency. */
  private readonly indexed = new Map<string, Set<string>>();
  /** Riders whose accepted position has not been written yet, by slice (see `takeUnsaved`). */
  private readonly unsaved = Array.from({ length: POSITION_SLICES }, () => new Set<string>());
  /** Told of every change to a rider through this instance's sockets (set when instances share presence). */
  private watcher?: (riderId: string, change: PresenceChange) => void;

  constructor(
    private readonly settings: PresenceSettings,
    private readonly index: RiderIndex,
    readonly now: Clock = systemClock,
  ) {}

  /**
   * A socket of the rider connected. A last known position younger than a minute is used until a fresh one comes.
   * Returns true when that makes the rider available for offers.
   */
  connected(rider: { id: string; agencyId: string }, socketId: string): boolean {
    const presence = this.presenceOf(rider.id, rider.agencyId);
    presence.sockets.add(socketId);
    presence.lastSeenAt = this.now();
    const last = presence.lastPosition;
    if (!presence.position && last && this.now() - last.at.getTime() < RESUME_POSITION_MS) presence.position = last;
    this.watcher?.(rider.id, 'state');
    return this.sync(rider.id, presence);
  }

  /** Returns whether the rider is still online through another socket. */
  disconnected(riderId: string, socketId: string): boolean {
    const presence = this.riders.get(riderId);
    if (!presence) return false;
    presence.sockets.delete(socketId);
    this.watcher?.(riderId, 'state');
    if (isOnline(presence)) return true;
    presence.position = undefined;
    this.sync(riderId, presence);
    return false;
  }

  /** Any message from the rider: a sign of life. Returns true when it brings a silent rider back to matching. */
  seen(riderId: string): boolean {
    const presence = this.riders.get(riderId);
    if (!presence || presence.sockets.size === 0) return false;
    presence.lastSeenAt = this.now();
    this.watcher?.(riderId, 'seen');
    return this.indexed.get(presence.agencyId)?.has(riderId) ? false : this.sync(riderId, presence);
  }

  /**
   * Takes a connected rider's position, reported at `at` (by default now). Refuses, keeping the old position,
   * one dated in the future or before the last accepted (STALE_LOCATION) and one implying a speed no rider
   * reaches (IMPLAUSIBLE_LOCATION). Returns true when the rider just became available for offers.
   */
  moved(riderId: string, point: LngLat, at = new Date(this.now())): boolean {
    const presence = this.riders.get(riderId);
    if (!presence || presence.sockets.size === 0) return false;
    presence.lastSeenAt = this.now();
    this.assertPlausible(presence.lastPosition, point, at);
    presence.position = { lng: point.lng, lat: point.lat, at };
    presence.lastPosition = presence.position;
    this.unsaved[sliceOf(riderId)]!.add(riderId);
    this.watcher?.(riderId, 'moved');
    return this.sync(riderId, presence);
  }

  /** The rider stays connected but is offered nothing until the break ends, on every device. */
  startBreak(riderId: string): RiderState {
    const presence = this.riders.get(riderId);
    if (!presence) return 'offline';
    presence.onBreak = true;
    this.watcher?.(riderId, 'state');
    this.sync(riderId, presence);
    return this.state(riderId);
  }

  /** Ends the break; `available` is true when the rider may be offered work again at once. */
  endBreak(riderId: string): { state: RiderState; available: boolean } {
    const presence = this.riders.get(riderId);
    if (!presence) return { state: 'offline', available: false };
    presence.onBreak = false;
    this.watcher?.(riderId, 'state');
    return { available: this.sync(riderId, presence), state: this.state(riderId) };
  }

  /** Takes the silent riders out of matching; returns how many. Their sockets stay open. */
  dropSilent(): number {
    // Every rider in the index, every second or so: the clock is read once, not once per rider.
    const now = this.now();
    let dropped = 0;
    for (const riderIds of this.indexed.values()) {
      for (const riderId of riderIds) {
        const presence = this.riders.get(riderId)!;
        if (this.isSilent(presence, now)) {
          this.sync(riderId, presence);
          dropped++;
        }
      }
    }
    return dropped;
  }

  state(riderId: string): RiderState {
    const presence = this.riders.get(riderId);
    if (!presence || !isOnline(presence)) return 'offline';
    if (presence.onBreak) return 'on_break';
    return this.isSilent(presence) ? 'silent' : 'online';
  }

  /** How many riders are in each state now, offline ones left out (for metrics: one pass over connected riders). */
  countByState(): Record<Exclude<RiderState, 'offline'>, number> {
    const counts = { online: 0, on_break: 0, silent: 0 };
    for (const riderId of this.riders.keys()) {
      const state = this.state(riderId);
      if (state !== 'offline') counts[state]++;
    }
    return counts;
  }

  /** Online, not on break, not silent and located: a rider that may be offered work now. */
  isAvailable(riderId: string): boolean {
    return this.state(riderId) === 'online' && this.riders.get(riderId)!.position !== undefined;
  }

  /** The agency's riders that may be offered work now, where they are. */
  availableIn(agencyId: string): Array<{ riderId: string; position: RiderPosition }> {
    const available: Array<{ riderId: string; position: RiderPosition }> = [];
    for (const riderId of this.indexed.get(agencyId) ?? []) {
      if (this.isAvailable(riderId)) available.push({ riderId, position: this.riders.get(riderId)!.position! });
    }
    return available;
  }

  /** Agencies with at least one rider who could be offered a delivery now. */
  agenciesWithLocatedRiders(): string[] {
    const agencies: string[] = [];
    for (const [agencyId, riders] of this.indexed) {
      for (const riderId of riders) {
        if (!this.isAvailable(riderId)) continue;
        agencies.push(agencyId);
        break;
      }
    }
    return agencies;
  }

  /** At least one socket connected, whether on break or silent. */
  isOnline(riderId: string): boolean {
    const presence = this.riders.get(riderId);
    return presence !== undefined && isOnline(presence);
  }

  /** Calls `watcher` on every change to a rider through this instance's sockets. */
  watch(watcher: (riderId: string, change: PresenceChange) => void): void {
    this.watcher = watcher;
  }

  /** The rider as this instance's sockets show it, for the other instances. */
  localView(riderId: string): LocalPresence | undefined {
    const presence = this.riders.get(riderId);
    if (!presence) return undefined;
    const { agencyId, onBreak, lastSeenAt, lastPosition } = presence;
    const connected = presence.sockets.size > 0;
    return { riderId, agencyId, connected, onBreak, lastSeenAt, position: lastPosition, located: connected && presence.position !== undefined };
  }

  /**
   * Another instance's view of a rider (`localView` there): it holds a socket of the rider or no longer does, and
   * what it accepted stands here too (its positions were checked there). Returns true when the rider just became available.
   */
  mirror(instance: string, view: LocalPresence): boolean {
    const presence = this.presenceOf(view.riderId, view.agencyId);
    presence.elsewhere ??= new Set();
    if (view.connected) presence.elsewhere.add(instance);
    else presence.elsewhere.delete(instance);
    presence.onBreak = view.onBreak;
    if (view.lastSeenAt !== undefined) presence.lastSeenAt = Math.max(presence.lastSeenAt ?? 0, view.lastSeenAt);
    if (view.position && (!presence.lastPosition || presence.lastPosition.at <= view.position.at)) {
      presence.lastPosition = view.position;
      if (view.located) presence.position = view.position;
    }
    if (!isOnline(presence)) presence.position = undefined;
    return this.sync(view.riderId, presence);
  }

  /** An instance is gone: its sockets are. */
  forgetInstance(instance: string): void {
    for (const [riderId, presence] of this.riders) {
      if (!presence.elsewhere?.delete(instance)) continue;
      if (!isOnline(presence)) presence.position = undefined;
      this.sync(riderId, presence);
    }
  }

  /** The riders with a socket on this instance. */
  localRiders(): string[] {
    return [...this.riders].filter(([, presence]) => presence.sockets.size > 0).map(([riderId]) => riderId);
  }

  lastPosition(riderId: string): RiderPosition | undefined {
    return this.riders.get(riderId)?.lastPosition;
  }

  lastSeenAt(riderId: string): Date | undefined {
    const at = this.riders.get(riderId)?.lastSeenAt;
    return at === undefined ? undefined : new Date(at);
  }

  /**
   * The positions accepted since the last call, one per rider (its latest); they count as saved from now on. With a
   * `slice` (0 to POSITION_SLICES - 1), only those of the riders in it: a writer taking one slice after another
   * writes every rider once per round of slices, in a steady stream rather than all at once.
   */
  takeUnsaved(slice?: number): Array<{ riderId: string; position: RiderPosition }> {
    const sets = slice === undefined ? this.unsaved : [this.unsaved[slice]!];
    const unsaved = sets.flatMap((set) => [...set].map((riderId) => ({ riderId, position: this.riders.get(riderId)!.lastPosition! })));
    for (const set of sets) set.clear();
    return unsaved;
  }

  /** Positions whose write failed: they go with the next one (as the rider's latest by then). */
  keepUnsaved(riderIds: string[]): void {
    for (const riderId of riderIds) this.unsaved[sliceOf(riderId)]!.add(riderId);
  }

  /** Last known positions read back after a restart: shown on the board, never newer ones overwritten. */
  restore(known: Array<{ riderId: string; agencyId: string; position: RiderPosition }>): void {
    for (const { riderId, agencyId, position } of known) {
      const presence = this.presenceOf(riderId, agencyId);
      if (presence.lastPosition && presence.lastPosition.at >= position.at) continue;
      presence.lastPosition = position;
      // It was alive when it reported; that is the latest this process can tell.
      presence.lastSeenAt = Math.max(presence.lastSeenAt ?? 0, position.at.getTime());
    }
  }

  private presenceOf(riderId: string, agencyId: string): Presence {
    let presence = this.riders.get(riderId);
    if (!presence) {
      presence = { agencyId, sockets: new Set(), onBreak: false };
      this.riders.set(riderId, presence);
    }
    return presence;
  }

  private isSilent(presence: Presence, now = this.now()): boolean {
    return presence.lastSeenAt === undefined || now - presence.lastSeenAt > this.settings.heartbeatTimeoutMs;
  }

  private assertPlausible(last: RiderPosition | undefined, point: LngLat, at: Date): void {
    const now = this.now();
    if (at.getTime() > now + FUTURE_AT_TOLERANCE_MS) {
      throw new DomainError('STALE_LOCATION', `at ${at.toISOString()} is ahead of the server's clock (${new Date(now).toISOString()}); position not taken`, {
        at: at.toISOString(),
        serverTime: new Date(now).toISOString(),
      });
    }
    if (!last) return;
    if (at < last.at) {
      throw new DomainError('STALE_LOCATION', `at ${at.toISOString()} is older than your last position (${last.at.toISOString()}); position not taken`, {
        at: at.toISOString(),
        lastAt: last.at.toISOString(),
      });
    }
    const fromLastMeters = straightLineMeters(last, point);
    const seconds = (at.getTime() - last.at.getTime()) / 1000;
    // Reports less than a second apart are timed as a second, so GPS jitter between them is not read as speed.
    const speedKmh = (fromLastMeters / Math.max(seconds, 1)) * 3.6;
    if (this.settings.maxSpeedKmh > 0 && speedKmh > this.settings.maxSpeedKmh) {
      throw new DomainError(
        'IMPLAUSIBLE_LOCATION',
        `${Math.round(fromLastMeters)} m from your last position in ${seconds.toFixed(1)} s is ${Math.round(speedKmh)} km/h, ` +
          `over the ${this.settings.maxSpeedKmh} km/h a rider can go; position not taken`,
        { speedKmh: Math.round(speedKmh), fromLastMeters: Math.round(fromLastMeters), seconds: Math.round(seconds * 10) / 10 },
      );
    }
  }

  /** Puts the rider in the index, or takes it out, by whether it may be offered work; true when it just went in. */
  private sync(riderId: string, presence: Presence): boolean {
    const agencyRiders = this.indexed.get(presence.agencyId);
    const wasIndexed = agencyRiders?.has(riderId) ?? false;
    const available = presence.position !== undefined && isOnline(presence) && !presence.onBreak && !this.isSilent(presence);
    if (available) {
      this.index.upsert(riderId, presence.agencyId, presence.position!);
      if (!agencyRiders) this.indexed.set(presence.agencyId, new Set([riderId]));
      else agencyRiders.add(riderId);
      return !wasIndexed;
    }
    if (wasIndexed) {
      this.index.remove(riderId);
      agencyRiders!.delete(riderId);
      if (agencyRiders!.size === 0) this.indexed.delete(presence.agencyId);
    }
    return false;
  }
}

/** Connected here or on another instance. */
function isOnline(presence: Presence): boolean {
  return presence.sockets.size > 0 || (presence.elsewhere?.size ?? 0) > 0;
}
