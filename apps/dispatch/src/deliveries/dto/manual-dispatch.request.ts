import { IsBoolean, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';

/** A reason a person wrote: 1 to 500 characters, not blank. */
function Reason(missing: string): PropertyDecorator {
  return (target, property) => {
    IsString({ message: missing })(target, property);
    Length(1, 500, { message: 'must be 1 to 500 characters' })(target, property);
    Matches(/\S/, { message: 'must not be blank' })(target, property);
  };
}

/** `POST …/deliveries/:deliveryId/assign` and `…/reassign`: the agency's rider to carry it. */
export class AssignDeliveryRequest {
  @IsUUID('all', { message: 'must be the id of one of your riders' })
  riderId: string;

  /** Shown to the rider the delivery is taken from, on a reassignment. */
  @IsOptional()
  @Reason('must be a string')
  reason?: string;
}

/** `POST …/deliveries/:deliveryId/unassign`. */
export class UnassignDeliveryRequest {
  /** Keep it away from automatic dispatch until released or assigned by hand. */
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  hold?: boolean;

  /** Shown to the rider it is taken from. */
  @IsOptional()
  @Reason('must be a string')
  reason?: string;
}

/** `POST …/deliveries/:deliveryId/fail`. */
export class FailDeliveryRequest {
  @Reason('must say why the delivery failed')
  reason: string;
}

/** The rider's `delivery:failed` message. */
export class DeliveryFailureReport {
  @IsUUID('all', { message: 'must be the deliveryId of a delivery assigned to you' })
  deliveryId: string;

  @Reason('must say why the delivery failed')
  reason: string;

  /** When it failed by the device's clock, for a report kept while offline. */
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'must be an ISO 8601 time, like 2026-11-22T03:15:55.349Z' })
  at?: string;
}
