import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError, Rounds } from '#platform';
import { DispatchMetrics } from '../metrics/dispatch-metrics.js';
import { RiderChannel } from '../riders/rider-channel.js';
import { DispatchWakeup } from './dispatch-wakeup.js';
import { OfferReceiptsRepository } from './offer-receipts.repository.js';

/**
 * Knowing that offers arrive. A rider's app acknowledges each offer as it shows it (`offer:seen`); an offer not
 * acknowledged within OFFER_UNSEEN_WITHDRAW_SECONDS never reached the rider (its connection is dead, or it is
 * offline), so its time is cut short and the dispatcher's usual expiry closes it and passes the delivery on, under
 * either policy, rather than waiting out the whole offer. Only riders whose app said it acknowledges offers are
 * concerned (see RiderChannel.ridersAcknowledgingOffers): the silence of a v1 app says nothing, nor does that of a
 * rider not heard from since dispatch started.
 */
@Injectable()
export class OfferReceipts implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('offers');
  private readonly rounds?: Rounds;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly receipts: OfferReceiptsRepository,
    private readonly channel: RiderChannel,
    private readonly wakeup: DispatchWakeup,
    private readonly metrics: DispatchMetrics,
  ) {
    const afterSeconds = config.dispatch.offerUnseenWithdrawSeconds;
    if (afterSeconds > 0) {
      this.rounds = new Rounds(
        () => this.withdrawUnseen(),
        Math.min(1000, afterSeconds * 250),
        (error) => this.logger.error(`could not withdraw unseen offers: ${(error as Error)?.message ?? String(error)}`),
      );
    }
  }

  onApplicationBootstrap(): void {
    this.rounds?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.rounds?.stop();
  }

  /** The rider's app has the offer on screen; `seenAt` is null for an offer that had closed before it arrived. */
  async seen(riderId: string, offerId: string): Promise<{ seenAt: string | null }> {
    const marked = isUUID(offerId) ? await this.receipts.markSeen(riderId, offerId.toLowerCase()) : undefined;
    if (!marked) throw new DomainError('OFFER_NOT_FOUND', `no offer ${offerId} for this rider`);
    if (marked.first && marked.seenAt) this.metrics.offerSeen(marked.seenAt.getTime() - marked.createdAt.getTime());
    return { seenAt: marked.seenAt?.toISOString() ?? null };
  }

  private async withdrawUnseen(): Promise<void> {
    const riders = this.channel.ridersAcknowledgingOffers();
    if (riders.length === 0) return;
    const shortened = await this.receipts.shortenUnseen(this.config.dispatch.offerUnseenWithdrawSeconds, riders);
    if (shortened.length === 0) return;
    this.metrics.offersUnseen(shortened.length);
    for (const offer of shortened) this.logger.warn(`offer ${offer.id} of delivery ${offer.deliveryId} never reached rider ${offer.riderId}: passing it on`);
    this.wakeup.wake();
  }
}
