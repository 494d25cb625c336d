import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AckInterceptor } from '#messaging';
import { ContractPipe } from './contract.pipe.js';
import { ErrorFilter } from './exception-filters.js';
import { KeyGuesses } from './key-guesses.js';

/**
 * Validation, error mapping, message acknowledgement and the limit on guessed API keys for every transport of a
 * service. Provided as app
 * providers rather than `useGlobal*`, because those do not reach a connected microservice.
 */
@Module({
  providers: [
    KeyGuesses,
    { provide: APP_GUARD, useExisting: KeyGuesses },
    { provide: APP_FILTER, useClass: ErrorFilter },
    { provide: APP_PIPE, useClass: ContractPipe },
    { provide: APP_INTERCEPTOR, useClass: AckInterceptor },
  ],
})
export class PlatformModule {}
