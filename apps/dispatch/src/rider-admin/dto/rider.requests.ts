import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

/** `POST /v1/agencies/:agencyId/riders`. */
export class CreateRiderRequest {
  @IsString({ message: 'must be a string' })
  @Length(1, 100, { message: 'must be 1 to 100 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;

  /** Deliveries carried at once; 3 when left out. */
  @IsOptional()
  @IsInt({ message: 'must be an integer from 1 to 50' })
  @Min(1, { message: 'must be an integer from 1 to 50' })
  @Max(50, { message: 'must be an integer from 1 to 50' })
  capacity?: number;
}

/** `PATCH /v1/agencies/:agencyId/riders/:riderId`: what is sent changes, the rest stays. */
export class EditRiderRequest {
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @Length(1, 100, { message: 'must be 1 to 100 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  name?: string;

  @IsOptional()
  @IsInt({ message: 'must be an integer from 1 to 50' })
  @Min(1, { message: 'must be an integer from 1 to 50' })
  @Max(50, { message: 'must be an integer from 1 to 50' })
  capacity?: number;
}
