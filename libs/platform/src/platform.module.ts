import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AckInterceptor } from '#messaging';
import { ContractPipe } from './contract.pipe.js';
import { ErrorFilter } from './exception-filters.js';

/**
 * Validation, error mapping and message acknowledgement for every transport of a service. Provided as app
 * providers rather than `useGlobal*`, because those do not reach a connected microservice.
 */
@Module({
  providers: [
    { provide: APP_FILTER, useClass: ErrorFilter },
    { provide: APP_PIPE, useClass: ContractPipe },
    { provide: APP_INTERCEPTOR, useClass: AckInterceptor },
  ],
})
export class PlatformModule {}
