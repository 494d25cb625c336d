import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { AgenciesService } from './agencies.service.js';

/** Lets a request through `/v1/agencies/:agencyId/...` only with that agency's API key. */
@Injectable()
export class AgencyKeyGuard implements CanActivate {
  constructor(private readonly agencies: AgenciesService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    await this.agencies.authorize(String(request.params.agencyId), request.headers.authorization);
    return true;
  }
}
