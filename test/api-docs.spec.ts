import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { AppConfig, ServiceName } from '../libs/config/src/config.js';
import { startService, type ApiDocs } from '../libs/platform/src/index.js';
import { DISPATCH_API_DOCS } from '../apps/dispatch/src/dispatch.api-docs.js';
import { DispatchModule } from '../apps/dispatch/src/dispatch.module.js';
import { FEE_API_DOCS } from '../apps/fee/src/fee.api-docs.js';
import { FeeModule } from '../apps/fee/src/fee.module.js';
import { INTAKE_API_DOCS } from '../apps/order-intake/src/intake.api-docs.js';
import { IntakeModule } from '../apps/order-intake/src/intake.module.js';
import { createTestDatabase } from './support/database.js';
import { testConfig } from './support/config.js';

type Schema = { $ref?: string; type?: string | string[]; required?: string[]; properties?: Record<string, Schema>; additionalProperties?: unknown };
type Operation = { summary?: string; responses?: Record<string, { description?: string }>; requestBody?: { content?: Record<string, { schema?: Schema }> } };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, unknown> }; webhooks?: Record<string, Record<string, Operation>> };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVICES: Array<{ service: ServiceName; docs: ApiDocs; module: (config: AppConfig, url: string) => Parameters<typeof startService>[0]['module']; bodyParser?: boolean }> = [
  { service: 'intake', docs: INTAKE_API_DOCS, module: (config, url) => IntakeModule.forRoot(config, url), bodyParser: false },
  { service: 'dispatch', docs: DISPATCH_API_DOCS, module: (config, url) => DispatchModule.forRoot(config, url) },
  { service: 'fee', docs: FEE_API_DOCS, module: (config, url) => FeeModule.forRoot(config, url) },
];

/** Every HTTP route Nest registered, read from its controllers' metadata: `GET /v1/agencies/{agencyId}/riders`. */
function registeredRoutes(app: INestApplication): Array<{ method: string; path: string }> {
  const routes: Array<{ method: string; path: string }> = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new () => object) | undefined;
      if (!type) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const own = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (method === undefined || own === undefined) continue;
        const joined = `/${[base, own].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
        routes.push({ method: RequestMethod[method].toLowerCase(), path: joined.replace(/[:*](\w+)/g, '{$1}') });
      }
    }
  }
  return routes;
}

/** The operation for a concrete path (`/v1/agencies/x/tariff`) and method, matching the document's templates. */
function operationFor(document: Document, method: string, concrete: string): { template: string; operation: Operation } | undefined {
  for (const [template, item] of Object.entries(document.paths)) {
    const pattern = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{path\}$/, '.+').replace(/\{\w+\}/g, '[^/]+')}$`);
    if (pattern.test(concrete) && item[method]) return { template, operation: item[method]! };
  }
  return undefined;
}

function resolve(document: Document, schema: Schema | undefined): Schema | undefined {
  return schema?.$ref ? document.components.schemas?.[schema.$ref.split('/').pop()!] : schema;
}

/** A call the agency dashboard makes: `api.dispatch(method, path, body?)`, `api.fee(...)` or `api.feeHealth()`. */
interface WebCall {
  where: string;
  target: 'dispatch' | 'fee' | 'feeHealth';
  method: string;
  path: string;
  body?: Array<{ name: string; optional: boolean }>;
}

/** Reads every AgencyApi call in web/agency with the TypeScript checker: its method, its path, its body's type. */
function agencyDashboardCalls(): WebCall[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'web/tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  const program = ts.createProgram({ rootNames: config!.fileNames, options: config!.options });
  const checker = program.getTypeChecker();
  const calls: WebCall[] = [];
  const literal = (node: ts.Expression | undefined): string | undefined => {
    if (!node) return undefined;
    if (ts.isStringLiteralLike(node)) return node.text;
    // A template's expressions are path parameters (ids): one segment each; after a `?`, the query.
    if (ts.isTemplateExpression(node) && node.head.text.includes('?')) return node.head.text;
    if (ts.isTemplateExpression(node)) {
      // Each expression stands for one whole segment of the path (an id).
      const texts = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)];
      const whole = texts.every((text, i) => (i === texts.length - 1 || text.endsWith('/')) && (i === 0 || text === '' || /^[/?]/.test(text)));
      return whole ? texts.join('{param}') : undefined;
    }
    return undefined;
  };
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.includes(`${path.sep}web${path.sep}agency${path.sep}`) && !file.fileName.includes('/web/agency/')) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const name = node.expression.name.text;
        const owner = checker.getTypeAtLocation(node.expression.expression).getSymbol()?.getName();
        if (owner === 'AgencyApi' && (name === 'dispatch' || name === 'fee' || name === 'feeHealth')) {
          const where = `${path.relative(root, file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
          if (name === 'feeHealth') calls.push({ where, target: 'feeHealth', method: 'get', path: '/health' });
          else {
            const [methodArg, pathArg, bodyArg] = node.arguments;
            const method = literal(methodArg);
            const route = literal(pathArg);
            if (!method || !route) throw new Error(`${where}: the method and path of an API call must be written out, so they can be checked`);
            const body = bodyArg
              ? checker.getTypeAtLocation(bodyArg).getProperties().map((p) => ({ name: p.getName(), optional: (p.getFlags() & ts.SymbolFlags.Optional) !== 0 }))
              : undefined;
            calls.push({ where, target: name, method: method.toLowerCase(), path: route.split('?')[0]!, body });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return calls;
}

describe('OpenAPI documents (/docs on each service)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const apps = new Map<ServiceName, INestApplication>();
  const documents = new Map<ServiceName, Document>();

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = await testConfig();
    for (const { service, docs, module, bodyParser } of SERVICES) {
      const app = await startService({ service, module: module(config, db.url), config, apiDocs: docs, bodyParser });
      apps.set(service, app);
      const response = await fetch(`${await app.getUrl()}/docs/openapi.json`);
      expect(response.status).toBe(200);
      documents.set(service, (await response.json()) as Document);
    }
  }, 120_000);

  afterAll(async () => {
    for (const app of [...apps.values()].reverse()) await app.close();
    await db?.drop();
  });

  it.each(SERVICES.map((s) => s.service))('%s: describes every route Nest registered, each with a summary and its responses', (service) => {
    const document = documents.get(service)!;
    expect(document.openapi).toBe('3.1.0');
    const routes = registeredRoutes(apps.get(service)!);
    expect(routes.length).toBeGreaterThan(2);
    const missing: string[] = [];
    for (const { method, path: route } of routes) {
      const operation = document.paths[route]?.[method];
      const responses = Object.values(operation?.responses ?? {});
      if (!operation?.summary || responses.length === 0 || responses.some((r) => !r.description)) missing.push(`${method.toUpperCase()} ${route}`);
    }
    expect(missing).toEqual([]);
    // And nothing the document names is missing from it.
    const refs = JSON.stringify(document).match(/#\/components\/schemas\/[\w.-]+/g) ?? [];
    expect(refs.map((ref) => ref.split('/').pop()!).filter((name) => !document.components.schemas?.[name])).toEqual([]);
  });

  it('describes request bodies by their validation rules, and the security each route takes', () => {
    const intake = documents.get('intake')!;
    const order = resolve(intake, intake.paths['/v1/restaurants/{restaurantId}/orders']!.post!.requestBody!.content!['application/json']!.schema)!;
    expect(order.required).toEqual(expect.arrayContaining(['externalOrderId', 'dropoff', 'items', 'orderAmount']));
    expect(order.properties!.externalOrderId).toMatchObject({ type: 'string', minLength: 1, maxLength: 100 });
    expect(Object.keys(intake.components.securitySchemes ?? {}).sort()).toEqual(['agencyKey', 'restaurantKey', 'standardWebhooks']);
    // An order entered by an agency is the webhook's body with the restaurant added.
    const entered = resolve(intake, intake.paths['/v1/agencies/{agencyId}/orders']!.post!.requestBody!.content!['application/json']!.schema)!;
    expect(entered.required).toEqual(expect.arrayContaining(['restaurantId', 'externalOrderId', 'dropoff', 'items', 'orderAmount']));
    expect(entered.properties!.payment).toBeDefined();
    expect(Object.keys(documents.get('fee')!.components.securitySchemes ?? {})).toEqual(['agencyKey']);
    const quote = resolve(documents.get('fee')!, documents.get('fee')!.paths['/v1/quotes']!.post!.requestBody!.content!['application/json']!.schema)!;
    expect(quote.required).toEqual(['agencyId']);
  });

  it("puts the status callbacks intake sends among the document's webhooks, with their body and signature headers", () => {
    const callback = documents.get('intake')!.webhooks?.['order.status_changed']?.post as Operation & { parameters?: Array<{ name: string }> };
    expect(callback?.summary).toBeTruthy();
    expect(callback.parameters?.map((p) => p.name)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
    const body = resolve(documents.get('intake')!, callback.requestBody!.content!['application/json']!.schema)!;
    expect(body.required).toEqual(expect.arrayContaining(['type', 'orderId', 'status', 'at']));
  });

  it('serves the Swagger UI from its own assets, nothing from elsewhere', async () => {
    const url = await apps.get('fee')!.getUrl();
    const page = await (await fetch(`${url}/docs`)).text();
    expect(page).toContain('swagger-ui');
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.filter((asset) => /^(https?:)?\/\//.test(asset))).toEqual([]);
    for (const asset of assets) expect({ asset, status: (await fetch(new URL(asset, `${url}/docs`))).status }).toEqual({ asset, status: 200 });
  });

  it("agrees with the agency dashboard's requests: each exists, and its body gives what is required and nothing unknown", () => {
    const calls = agencyDashboardCalls();
    expect(calls.length).toBeGreaterThan(8);
    const problems: string[] = [];
    for (const call of calls) {
      // The dashboard reaches fee through dispatch's proxy: the proxy route must exist, and fee's own route.
      const onDispatch = call.target === 'dispatch' ? `/v1/agencies/{param}${call.path}` : call.target === 'fee' ? `/fee/v1/agencies/{param}${call.path}` : '/fee/health';
      if (!operationFor(documents.get('dispatch')!, call.method, onDispatch)) problems.push(`${call.where}: dispatch has no ${call.method.toUpperCase()} ${onDispatch}`);
      const document = call.target === 'dispatch' ? documents.get('dispatch')! : documents.get('fee')!;
      const own = call.target === 'dispatch' ? onDispatch : call.target === 'fee' ? `/v1/agencies/{param}${call.path}` : '/health';
      const found = operationFor(document, call.method, own);
      if (!found) {
        problems.push(`${call.where}: ${call.target === 'dispatch' ? 'dispatch' : 'fee'} has no ${call.method.toUpperCase()} ${own}`);
        continue;
      }
      const schema = resolve(document, found.operation.requestBody?.content?.['application/json']?.schema);
      if (!call.body) {
        if (found.operation.requestBody && (found.operation.requestBody as { required?: boolean }).required) problems.push(`${call.where}: ${found.template} needs a body`);
        continue;
      }
      if (!schema) {
        problems.push(`${call.where}: sends a body that ${found.template} does not describe`);
        continue;
      }
      const given = new Map(call.body.map((p) => [p.name, p]));
      for (const name of schema.required ?? []) if (!given.has(name) || given.get(name)!.optional) problems.push(`${call.where}: ${found.template} requires ${name}`);
      for (const name of given.keys()) if (!schema.properties?.[name]) problems.push(`${call.where}: ${found.template} knows no ${name}`);
    }
    expect(problems).toEqual([]);
  });

  it('finds no HTTP request in the rider client, which speaks socket.io only', () => {
    const sources = ts.sys.readDirectory(path.join(root, 'web/rider/src'), ['.ts', '.tsx']);
    expect(sources.length).toBeGreaterThan(3);
    expect(sources.filter((file) => /\bfetch\(|XMLHttpRequest|axios/.test(ts.sys.readFile(file) ?? ''))).toEqual([]);
  });
});
