import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { jsonInputProblem, validateContract } from '#contracts';
import { DomainError } from './domain-error.js';

const PLAIN = new Set<unknown>([String, Number, Boolean, Array, Object, undefined]);

/**
 * Validates HTTP bodies and message payloads alike against their contract class. Registered on both the HTTP
 * app and the microservice, because a global pipe does not reach message listeners on its own. A body or query
 * without a contract class (a tariff, read by its own rules) is still refused when no reader should see it.
 */
@Injectable()
export class ContractPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom' || metadata.type === 'param') return value;
    if (metadata.type === 'query' || PLAIN.has(metadata.metatype)) {
      const problem = jsonInputProblem(value);
      if (problem) throw DomainError.validation([problem]);
      return value;
    }
    const result = validateContract(metadata.metatype as new () => object, value);
    if (!result.ok) throw DomainError.validation(result.errors);
    return result.value;
  }
}
