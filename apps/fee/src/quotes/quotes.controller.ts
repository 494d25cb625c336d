import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FeeQuote, FeeQuoteRequest } from '#contracts';
import { ApiErrors, schemaRef } from '#platform';
import { QuotesService } from './quotes.service.js';

@ApiTags('quotes')
@Controller('v1/quotes')
export class QuotesController {
  constructor(private readonly quotes: QuotesService) {}

  /** A price preview for a trip; the same answer dispatch gets over `fee.quote`. */
  @Post()
  @ApiOperation({ summary: "A trip's price by the agency's tariff, with the distance's provenance and rider pay", description: 'The same answer dispatch gets over `fee.quote` (docs/fees.md).' })
  @ApiBody({ required: true, schema: schemaRef(FeeQuoteRequest) })
  @ApiResponse({ status: 200, description: 'The quote, stored', schema: schemaRef(FeeQuote) })
  @ApiErrors(['VALIDATION_FAILED', 'NO_TARIFF', 'NO_LOCATION', 'OUTSIDE_SERVICE_AREA', 'BEYOND_MAX_DISTANCE'])
  @HttpCode(200)
  create(@Body() request: FeeQuoteRequest): Promise<FeeQuote> {
    return this.quotes.quote(request);
  }
}
