import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FeeQuoteRequest, PATTERNS, type FeeQuote } from '#contracts';
import { QuotesService } from './quotes.service.js';

@Controller()
export class QuotesHandler {
  constructor(private readonly quotes: QuotesService) {}

  @MessagePattern(PATTERNS.FEE_QUOTE)
  quote(@Payload() request: FeeQuoteRequest): Promise<FeeQuote> {
    return this.quotes.quote(request);
  }
}
