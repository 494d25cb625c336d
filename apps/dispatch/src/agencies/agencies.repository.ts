import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AgencyEntity } from './agency.entity.js';

@Injectable()
export class AgenciesRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get agencies() {
    return this.dataSource.getRepository(AgencyEntity);
  }

  async insert(agency: Omit<AgencyEntity, 'createdAt'>, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.getRepository(AgencyEntity).insert(agency);
  }

  findById(id: string): Promise<AgencyEntity | null> {
    return this.agencies.findOneBy({ id });
  }

  findByApiKeyHash(apiKeyHash: string): Promise<AgencyEntity | null> {
    return this.agencies.findOneBy({ apiKeyHash });
  }
}
