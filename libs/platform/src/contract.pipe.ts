import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { validateContract } from '#contracts';
import { DomainError } from './domain-error.js';

const PLAIN = new Set<unknown>([String, Number, Boolean, Array, Object, undefined]);

/**
 * Validates HTTP bodies and message payloads alike against their contract class. Registered on both the HTTP
 * app and the microservice, because a global pipe does not reach message listeners on its own.
 */
@Injectable()
export class ContractPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom' || metadata.type === 'param' || metadata.type === 'query' || PLAIN.has(metadata.metatype)) return value;
    const result = validateContract(metadata.metatype as new () => object, value);
    if (!result.ok) throw DomainError.validation(result.errors);
    return result.value;
  }
}
