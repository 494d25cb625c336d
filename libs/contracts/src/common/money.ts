import { Equals, IsArray, IsInt, IsString, Min } from 'class-validator';
import { Nested } from './nested.js';

/** One line of a fee, in integer KRW. */
export class FeeItem {
  @IsString()
  code: string;

  @IsString()
  label: string;

  @IsInt()
  amount: number;
}

export class Fee {
  @IsInt()
  @Min(0)
  total: number;

  @Equals('KRW')
  currency: 'KRW';

  @IsArray()
  @Nested(() => FeeItem, { each: true })
  items: FeeItem[];
}
