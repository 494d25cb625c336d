import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

/** One dependency the service checks; `critical` ones make the service `down`, the rest `degraded`. */
export interface HealthCheck {
  name: string;
  critical: boolean;
  check(): Promise<Record<string, unknown> | void>;
}

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

const HEALTH_SCHEMA = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
    checks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'critical', 'status', 'ms'],
        properties: { name: { type: 'string' }, critical: { type: 'boolean' }, status: { type: 'string', enum: ['up', 'down'] }, ms: { type: 'number' }, error: { type: 'string' } },
      },
    },
  },
};

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  @Get('health')
  @ApiOperation({ summary: 'Whether the service and what it depends on are up', description: 'Critical checks down make it `down` (503); others `degraded` (200).' })
  @ApiResponse({ status: 200, description: 'ok or degraded', schema: HEALTH_SCHEMA })
  @ApiResponse({ status: 503, description: 'down: a critical check failed', schema: HEALTH_SCHEMA })
  async health(@Res() response: Response): Promise<void> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        const started = Date.now();
        try {
          const detail = await withTimeout(c.check(), 2000);
          return { name: c.name, critical: c.critical, status: 'up', ms: Date.now() - started, ...(detail ?? {}) };
        } catch (error) {
          // A check may attach what it saw (`detail`) to its failure, e.g. which breakers are open.
          const detail = (error as { detail?: Record<string, unknown> }).detail ?? {};
          return { name: c.name, critical: c.critical, status: 'down', ms: Date.now() - started, error: (error as Error).message, ...detail };
        }
      }),
    );
    const failed = results.filter((r) => r.status === 'down');
    const status = failed.some((r) => r.critical) ? 'down' : failed.length > 0 ? 'degraded' : 'ok';
    response.status(status === 'down' ? 503 : 200).json({ status, checks: results });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error) => (clearTimeout(timer), reject(error)),
    );
  });
}

/** The service's own database: without it nothing works, so it is critical. */
export function databaseCheck(dataSource: { query(sql: string): Promise<unknown> }): HealthCheck {
  return { name: 'database', critical: true, check: async () => void (await dataSource.query('SELECT 1')) };
}
