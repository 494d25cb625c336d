import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { RiderPositionsRepository } from './rider-positions.repository.js';
import { POSITION_SLICES, RiderPresenceStore } from './rider-presence.store.js';

/**
 * Keeps presence true over time: restores last known positions on start, takes silent riders out of matching,
 * and writes the positions accepted since the last write, each rider's at most once per RIDER_POSITION_FLUSH_MS,
 * and everything once more on shutdown. The writes go one slice of the riders at a time, a sixteenth of the
 * interval apart: at 10,000 riders one statement of 10,000 rows every 5 s held a core of PostgreSQL for ~180 ms
 * and dispatch's event loop while it built them, a jolt to every order in flight; slices spread the same rows evenly.
 */
@Injectable()
export class RiderPresenceKeeper implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('presence');
  private readonly timers: NodeJS.Timeout[] = [];
  private flushing?: Promise<number>;
  private nextSlice = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly presence: RiderPresenceStore,
    private readonly positions: RiderPositionsRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const known = await this.positions.all();
    this.presence.restore(known);
    if (known.length > 0) this.logger.log(`restored the last known positions of ${known.length} riders`);
  }

  onApplicationBootstrap(): void {
    const { riderPositionFlushMs, riderHeartbeatTimeoutMs } = this.config.dispatch;
    this.timers.push(setInterval(() => void this.flush((this.nextSlice = (this.nextSlice + 1) % POSITION_SLICES)), riderPositionFlushMs / POSITION_SLICES));
    // Checked a few times per timeout, so a silent rider leaves matching at most a quarter late.
    this.timers.push(setInterval(() => this.presence.dropSilent(), Math.max(10, Math.min(1000, riderHeartbeatTimeoutMs / 4))));
  }

  /** Runs before the database closes, so the last positions are written. */
  async beforeApplicationShutdown(): Promise<void> {
    this.timers.forEach((timer) => clearInterval(timer));
    await this.flush();
  }

  /** Writes the positions accepted since the last write (of one slice, or all), in one statement; returns how many riders. */
  async flush(slice?: number): Promise<number> {
    // One write at a time: a second one waits and then takes what has come meanwhile.
    while (this.flushing) await this.flushing;
    this.flushing = this.write(slice).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(slice?: number): Promise<number> {
    const unsaved = this.presence.takeUnsaved(slice);
    if (unsaved.length === 0) return 0;
    try {
      await this.positions.save(unsaved);
      return unsaved.length;
    } catch (error) {
      this.presence.keepUnsaved(unsaved.map((u) => u.riderId));
      this.logger.warn(`could not write ${unsaved.length} rider positions, trying again next time: ${(error as Error)?.message ?? String(error)}`);
      return 0;
    }
  }
}
