import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FeeQuoteBatchRequest, FeeQuoteRequest, PATTERNS, type FeeQuote, type FeeQuoteBatchReply } from '#contracts';
import { QuotesService } from './quotes.service.js';

@Controller()
export class QuotesHandler {
  constructor(private readonly quotes: QuotesService) {}

  @MessagePattern(PATTERNS.FEE_QUOTE)
  quote(@Payload() request: FeeQuoteRequest): Promise<FeeQuote> {
    return this.quotes.quote(request);
  }

  @MessagePattern(PATTERNS.FEE_QUOTE_BATCH)
  async quoteMany(@Payload() batch: FeeQuoteBatchRequest): Promise<FeeQuoteBatchReply> {
    return { results: await this.quotes.quoteMany(batch.quotes) };
  }
}
