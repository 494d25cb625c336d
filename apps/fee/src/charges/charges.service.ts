import { Injectable, Logger } from '@nestjs/common';
import type { DeliveryChargeEvent } from '#contracts';
import { DomainError } from '#platform';
import { ChargesRepository } from './charges.repository.js';

@Injectable()
export class ChargesService {
  private readonly logger = new Logger('charges');

  constructor(private readonly charges: ChargesRepository) {}

  /**
   * Records a delivery's progress from dispatch. The first event freezes the quote the delivery is charged at;
   * later events move the stage forward only, so duplicates and events out of order change nothing they should
   * not. An event naming another quote keeps the frozen one and is logged. A quote fee never gave is a
   * VALIDATION_FAILED: redelivering it would fail alike.
   */
  async record(event: DeliveryChargeEvent): Promise<void> {
    const merged = await this.charges.merge(event);
    if (!merged) {
      throw DomainError.validation([{ field: 'quoteId', value: event.quoteId, reason: 'is not a quote the fee service gave' }]);
    }
    if (merged.quoteId !== event.quoteId.toLowerCase()) {
      this.logger.warn(`delivery ${event.deliveryId}: ${event.stage} names quote ${event.quoteId}, but the delivery is charged at quote ${merged.quoteId}, which is kept`);
    } else {
      this.logger.log(`delivery ${event.deliveryId} ${event.stage}: charged at quote ${merged.quoteId}`);
    }
  }
}
