import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { FeeQuoteRequest, type FeeQuote } from '#contracts';
import { AnyAgencyKeyGuard, KeyAgency } from '#platform';
import { QuotesService } from './quotes.service.js';

/** An agency prices trips by its own tariff with its API key; the same answer dispatch gets over `fee.quote`. */
@Controller('v1/quotes')
@UseGuards(AnyAgencyKeyGuard)
export class QuotesController {
  constructor(private readonly quotes: QuotesService) {}

  @Post()
  @HttpCode(200)
  create(@KeyAgency() keyAgencyId: string, @Body() request: FeeQuoteRequest): Promise<FeeQuote> {
    return this.quotes.quote(request, { keyAgencyId });
  }
}
