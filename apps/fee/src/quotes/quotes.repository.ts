import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { GroupCommit } from '#database';
import { QuoteEntity } from './quote.entity.js';

@Injectable()
export class QuotesRepository {
  constructor(@InjectRepository(QuoteEntity) private readonly quotes: Repository<QuoteEntity>) {}

  /** Stores a quote given; quotes given together are stored by one statement (see GroupCommit). */
  save(quote: Omit<QuoteEntity, 'createdAt'>): Promise<void> {
    return this.saves.submit(quote);
  }

  private readonly saves = new GroupCommit<Omit<QuoteEntity, 'createdAt'>, void>(
    async (quotes) => {
      await this.quotes.insert(quotes);
      return quotes.map(() => undefined);
    },
    async (quote) => {
      await this.quotes.insert(quote);
    },
    { maxBatch: 200, maxInFlight: 2 },
  );

  findById(id: string): Promise<QuoteEntity | null> {
    return this.quotes.findOneBy({ id });
  }
}
