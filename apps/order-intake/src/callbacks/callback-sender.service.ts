import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'undici';
import { APP_CONFIG, type AppConfig } from '#config';
import { parseRetryAfter, Rounds } from '#platform';
import { INTAKE_LOG, type IntakeLog } from '../intake.logger.js';
import { webhookHeaders } from '../webhooks/webhook-signature.js';
import { CallbackDestinations, DestinationRefused } from './callback-destinations.js';
import { CallbacksRepository, type AttemptOutcome, type DueCallback, type RoundResult } from './callbacks.repository.js';
import { backoffMs } from './retry-schedule.js';

/** Callbacks sent per round, at once; each round holds one connection until its slowest answer (or timeout). */
export const CALLBACK_BATCH = 50;

/** Thrown inside a round when the service stops: the round's transaction rolls back and nothing is recorded. */
class Stopping extends Error {}

/** A failing answer in the restaurant's view: its status and standard reason phrase, never its body. */
function answerError(status: number): string {
  const phrase = STATUS_CODES[status];
  const redirect = status >= 300 && status < 400 ? ' (redirects are not followed: set the final URL)' : '';
  return `HTTP ${status}${phrase ? ` ${phrase}` : ''}${redirect}`;
}

/**
 * Why a request got no answer, coarsely: what a restaurant's developer can act on, and no more, so the sender
 * tells nobody how some other host's ports behave.
 */
function unreachable(error: unknown, timeoutMs: number): string {
  const failure = error as { name?: string; cause?: { code?: unknown } } | null;
  const code = String(failure?.cause?.code ?? '');
  if (failure?.name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT') return `no answer within ${timeoutMs} ms`;
  if (code === DestinationRefused.code) return 'refused: the destination address is not public';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return 'could not resolve the host name';
  if (/CERT|TLS|SSL/.test(code)) return 'could not make a trusted TLS connection';
  return 'could not connect, or the connection closed before an answer';
}

/**
 * Sends queued status callbacks. Every CALLBACK_POLL_INTERVAL_MS, and when woken after a commit that queued one,
 * it takes the due callbacks with FOR UPDATE SKIP LOCKED (so several instances send side by side and never the
 * same one), posts each signed with its restaurant's secret, and records the outcome before the lock is let go.
 * A 2xx answer delivers a callback; anything else is retried with exponential backoff and jitter (honouring
 * `Retry-After` on 429 and 503) until CALLBACK_MAX_AGE_HOURS, after which it is undeliverable. One order's
 * callbacks leave one at a time, in order (see CallbacksRepository.claimDue).
 */
@Injectable()
export class CallbackSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly rounds: Rounds;
  /** Aborts requests in flight when the service stops; they are tried again later, here or by another instance. */
  private readonly stopping = new AbortController();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(INTAKE_LOG) private readonly log: IntakeLog,
    private readonly callbacks: CallbacksRepository,
    private readonly destinations: CallbackDestinations,
  ) {
    this.rounds = new Rounds(() => this.drain(), config.intake.callbacks.pollIntervalMs, (error) => {
      if (!(error instanceof Stopping)) this.log.warn({ err: error }, 'callback round failed; will try again');
    });
  }

  onApplicationBootstrap(): void {
    if (this.destinations.allowsPrivateNetworks) {
      this.log.warn('CALLBACK_ALLOW_PRIVATE_NETWORKS=true: status callbacks may reach loopback and private networks. For tests only: never in production.');
    }
    this.rounds.start();
  }

  async onApplicationShutdown(): Promise<void> {
    const stopped = this.rounds.stop();
    this.stopping.abort();
    await stopped;
    await this.destinations.close();
  }

  /** Sends what is due now; a call while a round runs makes another round follow it. */
  wake(): void {
    this.rounds.wake();
  }

  /**
   * Rounds until nothing is due. A delivered callback may make its order's next one due, so a round that
   * delivered anything is followed by another at once.
   */
  private async drain(): Promise<void> {
    while (!this.rounds.stopped) {
      const { taken, delivered } = await this.callbacks.claimDue(CALLBACK_BATCH, async (due, manager) => {
        const outcomes = await Promise.all(due.map((callback) => this.attempt(callback)));
        if (this.rounds.stopped) throw new Stopping();
        const results = due.map((callback, i): RoundResult => {
          const outcome = outcomes[i];
          return outcome === 'no-url' ? { id: callback.id, giveUp: 'the restaurant has no callback URL' } : { id: callback.id, outcome };
        });
        const recorded = await this.callbacks.recordRound(manager, results, this.config.intake.callbacks.maxAgeHours * 3_600_000);
        let delivered = 0;
        for (const [i, callback] of due.entries()) {
          const outcome = outcomes[i];
          const record = recorded.get(callback.id);
          if (outcome === 'no-url' || !record) continue;
          const context = { restaurantId: callback.restaurantId, orderId: callback.orderId, callbackId: callback.id, status: callback.payload.status, attempts: record.attempts };
          if (outcome.delivered) {
            delivered++;
            this.log.info({ ...context, responseStatus: outcome.responseStatus }, 'status callback delivered');
          } else if (record.state === 'undeliverable') {
            this.log.warn({ ...context, error: outcome.error }, 'status callback undeliverable; given up');
          } else {
            this.log.warn({ ...context, error: outcome.error, nextAttemptAt: record.nextAttemptAt?.toISOString() }, 'status callback failed; will retry');
          }
        }
        return { taken: due.length, delivered };
      });
      if (taken < CALLBACK_BATCH && delivered === 0) return;
    }
  }

  /** One signed POST. The timestamp and signature are fresh on every try; the webhook-id and body are not. */
  private async attempt(callback: DueCallback): Promise<AttemptOutcome | 'no-url'> {
    // Removed after this callback was queued, by a request that committed while its status change was in flight.
    if (!callback.url) return 'no-url';
    const { timeoutMs } = this.config.intake.callbacks;
    const failures = callback.attempts + 1;
    const body = JSON.stringify(callback.payload);
    let response: Response;
    try {
      response = await this.destinations.fetch(callback.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'baecha-callbacks/1', ...webhookHeaders(callback.secrets, body, { id: callback.webhookId }) },
        body,
        // A redirect is not followed: a signed POST should not be replayed to wherever another server points.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.stopping.signal]),
      });
    } catch (error) {
      return { delivered: false, responseStatus: null, error: unreachable(error, timeoutMs), retryInMs: this.backoff(failures) };
    }
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel().catch(() => undefined);
      return { delivered: true, responseStatus: response.status };
    }
    await response.body?.cancel().catch(() => undefined);
    const asked = response.status === 429 || response.status === 503 ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
    return {
      delivered: false,
      responseStatus: response.status,
      error: answerError(response.status),
      // Never sooner than the server asked, nor sooner than the backoff would have waited anyway.
      retryInMs: Math.max(asked ?? 0, this.backoff(failures)),
    };
  }

  private backoff(failures: number): number {
    const { backoffBaseMs, backoffCapMs } = this.config.intake.callbacks;
    return backoffMs(failures, { baseMs: backoffBaseMs, capMs: backoffCapMs });
  }
}
