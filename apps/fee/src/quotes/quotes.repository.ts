import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { QuoteEntity } from './quote.entity.js';

@Injectable()
export class QuotesRepository {
  constructor(@InjectRepository(QuoteEntity) private readonly quotes: Repository<QuoteEntity>) {}

  async save(quote: Omit<QuoteEntity, 'createdAt'>): Promise<void> {
    await this.quotes.insert(quote);
  }

  findById(id: string): Promise<QuoteEntity | null> {
    return this.quotes.findOneBy({ id });
  }
}
