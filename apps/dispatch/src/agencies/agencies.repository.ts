import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AgencyEntity } from './agency.entity.js';

@Injectable()
export class AgenciesRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get agencies() {
    return this.dataSource.getRepository(AgencyEntity);
  }

  async insert(agency: Omit<AgencyEntity, 'createdAt'>): Promise<void> {
    await this.agencies.insert(agency);
  }

  findById(id: string): Promise<AgencyEntity | null> {
    return this.agencies.findOneBy({ id });
  }

  findByApiKeyHash(apiKeyHash: string): Promise<AgencyEntity | null> {
    return this.agencies.findOneBy({ apiKeyHash });
  }
}
