import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import type { LngLat } from '#contracts';
import { RIDER_INDEX, type PlannerInput, type RiderIndex } from '#planner';
import { DispatchSettingsService, type DispatchSettings } from '../agencies/dispatch-settings.service.js';
import type { DeliveryEntity } from '../deliveries/delivery.entity.js';
import { RiderPresenceStore } from '../riders/rider-presence.store.js';
import { OffersRepository, type RiderContext } from './offers.repository.js';
import { planningAreas } from './planning-areas.js';
import { dispatchGeometry, plannerPolicy, plannerRider, waitingDelivery } from './planning.policy.js';

/** A delivery's riders nearby and what the database says of them (room, jobs, idle time): what planning needs. */
export interface Surroundings {
  nearby: Array<{ riderId: string; position: LngLat }>;
  contexts: Map<string, RiderContext & { agencyId: string }>;
}

/** One planning problem: an agency's waiting deliveries in one area and the riders near them. */
export interface PlanningArea {
  agencyId: string;
  settings: DispatchSettings;
  input: PlannerInput<LngLat>;
  deliveries: Map<string, DeliveryEntity>;
}

/**
 * Deliveries one planning area holds at most: a round's cost grows with each area's deliveries and the riders near
 * them, not with every delivery waiting or rider online. A larger group is cut along squares of about 2 km.
 */
const AREA_MAX_DELIVERIES = 50;
const AREA_CELL_DEGREES = 0.02;

/**
 * Reads what a planning round needs (the read half of offering): for the waiting deliveries given, their
 * agencies' settings as the planner's policy, the riders who declined or missed each, and the riders near their
 * pickups from the rider index (online, not on break, located; no map provider is asked) with their room, jobs
 * and idle time from the database. Operators' assignments are riders' jobs: the planner plans those riders from
 * when and where they will have done them.
 */
@Injectable()
export class PlanningSnapshot {
  readonly geometry;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RIDER_INDEX) private readonly index: RiderIndex,
    private readonly presence: RiderPresenceStore,
    private readonly offers: OffersRepository,
    private readonly settings: DispatchSettingsService,
  ) {
    this.geometry = dispatchGeometry(config);
  }

  /**
   * The planning areas of these deliveries at `now` (epoch seconds). `surroundings` are riders read ahead for some
   * deliveries (see OfferingService.lookAhead); `neverOffered` skips reading past offers of deliveries known to
   * have none; `ridersPerDelivery` asks the index for fewer riders than DISPATCH_CANDIDATES per delivery.
   */
  async read(
    deliveries: DeliveryEntity[],
    now: number,
    options: { surroundings?: Map<string, Surroundings>; neverOffered?: boolean; ridersPerDelivery?: number } = {},
  ): Promise<PlanningArea[]> {
    if (deliveries.length === 0) return [];
    const ahead = options.surroundings ?? new Map<string, Surroundings>();
    const nearby = new Map(deliveries.map((d) => [d.id, ahead.get(d.id)?.nearby ?? this.nearby(d.agencyId, { lng: d.pickupLng, lat: d.pickupLat }, options.ridersPerDelivery)]));
    const unread = [...new Set(deliveries.filter((d) => !ahead.has(d.id)).flatMap((d) => nearby.get(d.id)!.map((rider) => rider.riderId)))];
    const [read, offeredBefore, settings] = await Promise.all([
      unread.length > 0 ? this.offers.riderContexts(unread) : new Map<string, RiderContext & { agencyId: string }>(),
      options.neverOffered ? new Set<string>() : this.offers.offeredBefore(deliveries.map((d) => d.id)),
      this.settings.effective([...new Set(deliveries.map((d) => d.agencyId))]),
    ]);
    const contexts = new Map<string, RiderContext & { agencyId: string }>();
    for (const known of new Set([...ahead.values()].map((s) => s.contexts))) for (const [id, context] of known) contexts.set(id, context);
    for (const [id, context] of read) contexts.set(id, context);
    const declined = new Map<string, string[]>();
    for (const key of offeredBefore) {
      const [deliveryId, riderId] = key.split(':') as [string, string];
      declined.set(deliveryId, [...(declined.get(deliveryId) ?? []), riderId]);
    }

    const placed = deliveries.map((d) => ({ id: d.id, agencyId: d.agencyId, restaurantId: d.restaurantId, pickup: { lng: d.pickupLng, lat: d.pickupLat }, delivery: d }));
    const areas = planningAreas(placed, {
      stackRadiusMeters: this.config.dispatch.stackPickupRadiusMeters,
      maxDeliveries: AREA_MAX_DELIVERIES,
      cellDegrees: AREA_CELL_DEGREES,
    });
    return areas.map((area) => {
      const members = area.map((p) => p.delivery);
      const agencyId = members[0]!.agencyId;
      const agency = settings.get(agencyId)!;
      const policy = plannerPolicy(agency, this.config.dispatch);
      const riders = new Map<string, LngLat>();
      for (const d of members) for (const { riderId, position } of nearby.get(d.id)!) riders.set(riderId, position);
      return {
        agencyId,
        settings: agency,
        deliveries: new Map(members.map((d) => [d.id, d])),
        input: {
          now,
          policy,
          deliveries: members.map((d) => waitingDelivery(d, declined.get(d.id) ?? [])),
          riders: [...riders].flatMap(([riderId, position]) => {
            const context = contexts.get(riderId);
            return context && context.agencyId === agencyId ? [plannerRider(context, position, now, this.geometry, policy)] : [];
          }),
        },
      };
    });
  }

  /**
   * The agency's riders who may be offered work now (online, not on break, not silent, located), nearest first,
   * within DISPATCH_MAX_PICKUP_METERS of the pickup, from the rider index.
   */
  nearby(agencyId: string, pickup: LngLat, limit = this.config.dispatch.candidateLimit): Array<{ riderId: string; position: LngLat }> {
    return this.index
      .nearest(agencyId, pickup, Math.min(limit, this.config.dispatch.candidateLimit), this.config.dispatch.maxPickupMeters)
      .filter((rider) => this.presence.isAvailable(rider.riderId))
      .map((rider) => ({ riderId: rider.riderId, position: rider.point }));
  }
}
