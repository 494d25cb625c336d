import { Type } from 'class-transformer';
import { Equals, IsArray, IsInt, IsString, Min, ValidateNested } from 'class-validator';

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
  @ValidateNested({ each: true })
  @Type(() => FeeItem)
  items: FeeItem[];
}
