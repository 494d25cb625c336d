import { applyDecorators, type INestApplication } from '@nestjs/common';
import { ApiResponse, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';
import { HTTP_STATUS_BY_CODE, type ErrorCode } from './domain-error.js';

type SchemaObject = Record<string, unknown>;
type PathItemObject = NonNullable<OpenAPIObject['webhooks']>[string];

/** What a service says of itself in its OpenAPI document, beyond what its controllers' decorators say. */
export interface ApiDocs {
  title: string;
  description: string;
  /** Security schemes (`addBearerAuth`, `addSecurity`) and tags. */
  configure?: (builder: DocumentBuilder) => DocumentBuilder;
  /** Schemas with no validated class behind them, by name (referenced as `#/components/schemas/<name>`). */
  schemas?: Record<string, SchemaObject>;
  /** OpenAPI 3.1 webhooks: requests the service sends to its clients. */
  webhooks?: Record<string, PathItemObject>;
}

export const SCHEMAS = '#/components/schemas/';

/** A `$ref` to a component schema: a validated class's (by its class name) or one of `ApiDocs.schemas`. */
export const schemaRef = (name: string | (new () => object)) => ({ $ref: `${SCHEMAS}${typeof name === 'string' ? name : name.name}` });

/** The `{ error: { code, message, details } }` body every refusal has (exception-filters.ts). */
const errorBody = (codes: readonly string[]): SchemaObject => ({
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...codes] },
        message: { type: 'string', description: 'What is wrong, for a person' },
        details: { description: 'VALIDATION_FAILED and TARIFF_INVALID: a list of { field, value, reason }; other codes: what they name' },
      },
    },
  },
});

/**
 * The refusals a route can answer, grouped by HTTP status (the one code→status map, domain-error.ts): each status
 * documented with its codes and the shared error body. `extra` adds codes no DomainError carries (the fee proxy's).
 */
export function ApiErrors(codes: ErrorCode[], extra: Record<number, string[]> = {}): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, string[]>(Object.entries(extra).map(([status, list]) => [Number(status), [...list]]));
  for (const code of codes) {
    const status = HTTP_STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, list]) => ApiResponse({ status, description: list.join(', '), schema: errorBody(list) as never })),
  );
}

/**
 * JSON schemas of every validated class, read from its class-validator rules (the rules that refuse a request are
 * the schema it is described by), with the project's own rules (field-rules.ts, callback-url.ts) converted too:
 * they carry their bounds as constraints.
 */
function validatedSchemas(): Record<string, SchemaObject> {
  const custom = (meta: ValidationMetadata): SchemaObject | undefined => {
    const name = getMetadataStorage().getTargetValidatorConstraints(meta.constraintCls)[0]?.name;
    const [min, max] = (meta.constraints ?? []) as number[];
    switch (name) {
      case 'isText':
        return { type: 'string', minLength: min, maxLength: max };
      case 'isIntegerIn':
        return { type: 'integer', minimum: min, maximum: max };
      case 'isList':
        return { type: 'array', minItems: min, maxItems: max };
      case 'isKoreanLng':
      case 'isKoreanLat':
        return { type: 'number', minimum: min, maximum: max };
      case 'isKoreanPhone':
        return { type: 'string', pattern: '^(?:\\+82-?|0)\\d+(?:-\\d+)*$', description: 'a Korean phone number: 9 to 13 digits, dashes allowed' };
      case 'isInstant':
        return { type: 'string', format: 'date-time', description: 'an ISO 8601 instant with its offset' };
      case 'isCallbackUrl':
        return { type: 'string', format: 'uri', description: 'an http(s) URL of a public host' };
      default:
        return undefined;
    }
  };
  return validationMetadatasToSchemas({
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: SCHEMAS,
    additionalConverters: { [ValidationTypes.CUSTOM_VALIDATION]: (meta) => custom(meta) ?? {} },
  }) as Record<string, SchemaObject>;
}

/** The schemas `document` refers to, and those they refer to, from `available`. */
function referenced(document: unknown, available: Record<string, SchemaObject>): Record<string, SchemaObject> {
  const found: Record<string, SchemaObject> = {};
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMAS)) {
        const name = value.slice(SCHEMAS.length);
        if (!found[name] && available[name]) {
          found[name] = available[name];
          visit(available[name]);
        }
      } else visit(value);
    }
  };
  visit(document);
  return found;
}

/** The service's OpenAPI 3.1 document, from its controllers' decorators and its validated classes. */
export function apiDocument(app: INestApplication, docs: ApiDocs): OpenAPIObject {
  const builder = new DocumentBuilder().setOpenAPIVersion('3.1.0').setTitle(docs.title).setDescription(docs.description).setVersion('1');
  const document = SwaggerModule.createDocument(app, (docs.configure?.(builder) ?? builder).build());
  if (docs.webhooks) document.webhooks = docs.webhooks;
  // Classes the explorer saw without @ApiProperty come out empty; their validation rules describe them instead.
  const available = { ...document.components?.schemas, ...validatedSchemas(), ...docs.schemas } as Record<string, SchemaObject>;
  document.components = { ...document.components, schemas: referenced({ ...document, components: {} }, available) as never };
  return document;
}

/**
 * `GET /docs` (Swagger UI, its assets served from the swagger-ui-dist package: nothing from a CDN) and
 * `GET /docs/openapi.json`.
 */
export function serveApiDocs(app: INestApplication, docs: ApiDocs): void {
  SwaggerModule.setup('docs', app, () => apiDocument(app, docs), { jsonDocumentUrl: 'docs/openapi.json', yamlDocumentUrl: 'docs/openapi.yaml' });
}

/** The agency API key, as dispatch and fee both take it. */
export const AGENCY_KEY_SCHEME = { type: 'http' as const, scheme: 'bearer', description: "The agency's API key (`Authorization: Bearer <apiKey>`); a key opens only its own agency's paths" };

export const OPERATOR_SESSION_SCHEME = {
  type: 'http' as const,
  scheme: 'bearer',
  description: "An operator's session token from `POST /v1/operator-sessions`; it opens its agency's paths as far as the operator's role allows",
};
