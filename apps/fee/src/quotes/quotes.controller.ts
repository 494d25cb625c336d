import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FeeQuote, FeeQuoteBatchRequest, FeeQuoteRequest, type FeeQuoteBatchReply } from '#contracts';
import { AnyAgencyKeyGuard, ApiErrors, KeyAgency, schemaRef } from '#platform';
import { QuotesService } from './quotes.service.js';

/** An agency prices trips by its own tariff with its API key; the same answers dispatch gets over `fee.quote`. */
@ApiTags('quotes')
@ApiBearerAuth('agencyKey')
@ApiErrors(['UNAUTHENTICATED', 'AGENCY_NOT_FOUND'])
@Controller('v1/quotes')
@UseGuards(AnyAgencyKeyGuard)
export class QuotesController {
  constructor(private readonly quotes: QuotesService) {}

  @Post()
  @ApiOperation({ summary: "A trip's price by the agency's tariff, with the distance's provenance and rider pay", description: 'The same answer dispatch gets over `fee.quote` (docs/fees.md).' })
  @ApiBody({ required: true, schema: schemaRef(FeeQuoteRequest) })
  @ApiResponse({ status: 200, description: 'The quote, stored', schema: schemaRef(FeeQuote) })
  @ApiErrors(['VALIDATION_FAILED', 'NO_TARIFF', 'NO_LOCATION', 'OUTSIDE_SERVICE_AREA', 'BEYOND_MAX_DISTANCE'])
  @HttpCode(200)
  create(@KeyAgency() keyAgencyId: string, @Body() request: FeeQuoteRequest): Promise<FeeQuote> {
    return this.quotes.quote(request, { keyAgencyId });
  }

  /** Up to 100 trips: `{ quotes: [...] }` answered `{ results: [{ quote } | { error }] }` in the same order. */
  @Post('batch')
  @ApiOperation({ summary: 'Up to 100 trips priced at once, each answered on its own in the order asked', description: 'One bad or refused trip never fails the others: its result is `{ error: { code, message, details } }` (docs/fees.md).' })
  @ApiBody({ required: true, schema: schemaRef(FeeQuoteBatchRequest) })
  @ApiResponse({
    status: 200,
    description: "Each trip's quote or its own error, in the order asked",
    schema: {
      type: 'object',
      required: ['results'],
      properties: {
        results: {
          type: 'array',
          items: {
            oneOf: [
              { type: 'object', required: ['quote'], properties: { quote: schemaRef(FeeQuote) } },
              { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } } } },
            ],
          },
        },
      },
    },
  })
  @ApiErrors(['VALIDATION_FAILED'])
  @HttpCode(200)
  async createMany(@KeyAgency() keyAgencyId: string, @Body() batch: FeeQuoteBatchRequest): Promise<FeeQuoteBatchReply> {
    return { results: await this.quotes.quoteMany(batch.quotes, { keyAgencyId }) };
  }
}
