import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { FeeQuoteRequest, type FeeQuote } from '#contracts';
import { QuotesService } from './quotes.service.js';

@Controller('v1/quotes')
export class QuotesController {
  constructor(private readonly quotes: QuotesService) {}

  /** A price preview for a trip; the same answer dispatch gets over `fee.quote`. */
  @Post()
  @HttpCode(200)
  create(@Body() request: FeeQuoteRequest): Promise<FeeQuote> {
    return this.quotes.quote(request);
  }
}
