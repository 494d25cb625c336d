import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, Length, Matches } from 'class-validator';
import { OPERATOR_ROLES, type OperatorRole } from '#platform';

const lowerTrimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
const ROLE_MESSAGE = `must be one of ${OPERATOR_ROLES.join(', ')}`;

/** `POST /v1/operator-sessions`: signing in. */
export class SignInRequest {
  @Transform(lowerTrimmed)
  @IsEmail({}, { message: 'must be an email address' })
  email: string;

  @IsString({ message: 'must be a string' })
  @Length(1, 200, { message: 'must be 1 to 200 characters' })
  password: string;
}

/** `POST /v1/agencies/:agencyId/operator-invites`: who is invited, with which role. */
export class InviteOperatorRequest {
  @Transform(lowerTrimmed)
  @IsEmail({}, { message: 'must be an email address' })
  email: string;

  @IsIn(OPERATOR_ROLES, { message: ROLE_MESSAGE })
  role: OperatorRole;
}

/** `POST /v1/operator-invites/accept`: the invite's token, the person's name and the password they chose. */
export class AcceptInviteRequest {
  @IsString({ message: 'must be the token of the invite' })
  @Matches(/^oi_[\w-]{32}$/, { message: 'must be the token of the invite' })
  token: string;

  @IsString({ message: 'must be a string' })
  @Length(1, 100, { message: 'must be 1 to 100 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  name: string;

  /** Long enough that guessing it offline, even at scrypt's cost, takes too long. */
  @IsString({ message: 'must be a string' })
  @Length(10, 200, { message: 'must be 10 to 200 characters' })
  password: string;
}

/** `PUT /v1/agencies/:agencyId/operators/:operatorId/role`. */
export class ChangeRoleRequest {
  @IsIn(OPERATOR_ROLES, { message: ROLE_MESSAGE })
  role: OperatorRole;
}
