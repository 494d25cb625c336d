import { IsIn, IsObject, IsOptional, IsString, IsUUID, Length, ValidateIf } from 'class-validator';
import { Nested } from '../common/nested.js';

/**
 * Request/reply to order-intake, which owns restaurants: an agency's hand on its own restaurants (list, create,
 * edit, disable, enable), sent by dispatch for the agency's HTTP routes. Intake validates `fields`, answers the
 * restaurant(s) or a domain error (`RESTAURANT_NOT_FOUND`, `VALIDATION_FAILED`), and records each change with a
 * `restaurant.changed` event in the same transaction, from which dispatch writes the audit log.
 */
export const RESTAURANT_ADMIN = 'intake.restaurant-admin';

export const RESTAURANT_ADMIN_ACTIONS = ['list', 'create', 'edit', 'disable', 'enable'] as const;
export type RestaurantAdminAction = (typeof RESTAURANT_ADMIN_ACTIONS)[number];

/** Who asked, as the audit log names them. */
export class RestaurantActor {
  /** The operator's id; null for the agency API key or the admin CLI. */
  @ValidateIf((actor: RestaurantActor) => actor.operatorId !== null)
  @IsUUID()
  operatorId: string | null;

  @IsString()
  @Length(1, 400)
  label: string;
}

export class RestaurantAdminRequest {
  @IsUUID()
  agencyId: string;

  @IsIn(RESTAURANT_ADMIN_ACTIONS)
  action: RestaurantAdminAction;

  @Nested(() => RestaurantActor)
  actor: RestaurantActor;

  /** The restaurant, as the caller's path named it (checked by intake: an unknown one is RESTAURANT_NOT_FOUND). */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  restaurantId?: string;

  /** The body of a create or edit, validated by intake field by field. */
  @IsOptional()
  @IsObject()
  fields?: Record<string, unknown>;
}

/** A restaurant as its agency sees it; its secrets are never shown here (only once, at creation). */
export interface RestaurantAdminView {
  id: string;
  name: string;
  address: string;
  lng: number;
  lat: number;
  callbackUrl: string | null;
  defaultCookingMinutes: number | null;
  disabled: boolean;
  disabledAt: string | null;
  createdAt: string;
}
