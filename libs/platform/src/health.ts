import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';

/** One dependency the service checks; `critical` ones make the service `down`, the rest `degraded`. */
export interface HealthCheck {
  name: string;
  critical: boolean;
  check(): Promise<Record<string, unknown> | void>;
}

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

@Controller()
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  @Get('health')
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
