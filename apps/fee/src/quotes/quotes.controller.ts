import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { FeeQuoteBatchRequest, FeeQuoteRequest, type FeeQuote, type FeeQuoteBatchReply } from '#contracts';
import { AnyAgencyKeyGuard, KeyAgency } from '#platform';
import { QuotesService } from './quotes.service.js';

/** An agency prices trips by its own tariff with its API key; the same answers dispatch gets over `fee.quote`. */
@Controller('v1/quotes')
@UseGuards(AnyAgencyKeyGuard)
export class QuotesController {
  constructor(private readonly quotes: QuotesService) {}

  @Post()
  @HttpCode(200)
  create(@KeyAgency() keyAgencyId: string, @Body() request: FeeQuoteRequest): Promise<FeeQuote> {
    return this.quotes.quote(request, { keyAgencyId });
  }

  /** Up to 100 trips: `{ quotes: [...] }` answered `{ results: [{ quote } | { error }] }` in the same order. */
  @Post('batch')
  @HttpCode(200)
  async createMany(@KeyAgency() keyAgencyId: string, @Body() batch: FeeQuoteBatchRequest): Promise<FeeQuoteBatchReply> {
    return { results: await this.quotes.quoteMany(batch.quotes, { keyAgencyId }) };
  }
}
