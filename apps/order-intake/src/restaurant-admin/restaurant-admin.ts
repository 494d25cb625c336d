import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { PATTERNS, type RestaurantActor, type RestaurantAdminView, type RestaurantChange, type RestaurantChangedEvent } from '#contracts';
import { addToOutbox } from '#database';
import { DomainError } from '#platform';
import type { DestinationPolicy } from '../callbacks/callback-destination.js';
import type { HostResolver } from '../callbacks/callback-destinations.js';
import type { RestaurantEntity } from '../restaurants/restaurant.entity.js';
import { checkRestaurantInput, prepareRestaurant, type ProvisionedRestaurant } from '../restaurants/restaurants.provisioning.js';
import { RestaurantsRepository, type RestaurantChanges } from '../restaurants/restaurants.repository.js';
import { isUuid } from '../restaurants/restaurants.service.js';

type PreparedRestaurant = Awaited<ReturnType<typeof prepareRestaurant>>;

/** A restaurant just created, with the credentials shown only now. */
export type CreatedRestaurant = RestaurantAdminView & Pick<ProvisionedRestaurant, 'webhookSecret' | 'apiKey'>;

/** The fields an agency may set on a restaurant; anything else in a body is ignored. */
const EDITABLE = ['name', 'address', 'lng', 'lat', 'callbackUrl', 'defaultCookingMinutes'] as const;

/** A restaurant as its agency sees it (no secrets). */
export function restaurantAdminView(r: RestaurantEntity): RestaurantAdminView {
  return {
    id: r.id,
    name: r.name,
    address: r.address,
    lng: r.lng,
    lat: r.lat,
    callbackUrl: r.callbackUrl,
    defaultCookingMinutes: r.defaultCookingMinutes,
    disabled: r.disabledAt !== null,
    disabledAt: r.disabledAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

/** Keeps only the editable fields present in a body. */
function editable(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(EDITABLE.filter((key) => key in fields).map((key) => [key, fields[key]]));
}

/**
 * An agency's hands on its restaurants, usable with a bare data source (the admin CLI) as well as in the service.
 * Every change commits with a `restaurant.changed` event in intake's outbox, naming who made it, which dispatch
 * writes into the agency's audit log; a change that changes nothing (disabling a disabled restaurant) writes none.
 */
export class RestaurantAdmin {
  private readonly restaurants: RestaurantsRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly destinations: DestinationPolicy & { resolve?: HostResolver },
  ) {
    this.restaurants = new RestaurantsRepository(dataSource);
  }

  async list(agencyId: string): Promise<RestaurantAdminView[]> {
    return (await this.restaurants.listByAgency(agencyId)).map(restaurantAdminView);
  }

  /** A new restaurant with its credentials, shown only in this answer. */
  async create(agencyId: string, actor: RestaurantActor, fields: Record<string, unknown> | undefined): Promise<CreatedRestaurant> {
    const [created] = await this.createAll(agencyId, actor, [await this.prepare(agencyId, fields)]);
    return created!;
  }

  /** A restaurant of the agency checked and ready for `createAll`, with fresh credentials; VALIDATION_FAILED naming each bad field. */
  prepare(agencyId: string, fields: Record<string, unknown> | undefined): Promise<PreparedRestaurant> {
    return prepareRestaurant({ ...editable(fields), agencyId }, this.destinations);
  }

  /** Creates prepared restaurants of the agency in one transaction, each recorded as created by `actor`. */
  async createAll(agencyId: string, actor: RestaurantActor, prepared: PreparedRestaurant[]): Promise<CreatedRestaurant[]> {
    const created = await this.dataSource.transaction(async (manager) => {
      const rows: RestaurantEntity[] = [];
      for (const { restaurant } of prepared) {
        if (restaurant.agencyId !== agencyId) throw new Error(`restaurant ${restaurant.id} was prepared for another agency`);
        await this.restaurants.insert(restaurant, manager);
        await recordChange(manager, { agencyId, restaurantId: restaurant.id, actor, change: 'restaurant.created', details: { name: restaurant.name } });
        rows.push((await this.restaurants.lock(manager, restaurant.id))!);
      }
      return rows;
    });
    return created.map((row, i) => ({ ...restaurantAdminView(row), webhookSecret: prepared[i]!.provisioned.webhookSecret, apiKey: prepared[i]!.provisioned.apiKey }));
  }

  /** Changes the fields given; the restaurant as it ends up must be valid as a whole (VALIDATION_FAILED otherwise). */
  edit(agencyId: string, restaurantId: string, actor: RestaurantActor, fields: Record<string, unknown> | undefined): Promise<RestaurantAdminView> {
    const given = editable(fields);
    return this.change(agencyId, restaurantId, actor, async (manager, before) => {
      const { name, address, lng, lat, callbackUrl, defaultCookingMinutes } = before;
      const current: Record<(typeof EDITABLE)[number], unknown> = { name, address, lng, lat, callbackUrl, defaultCookingMinutes };
      // The stored callback URL is not checked again (its host's DNS may be down now); only a new one is.
      const checked = await checkRestaurantInput({ ...current, callbackUrl: undefined, ...given, agencyId }, this.destinations);
      const after: RestaurantChanges = {};
      const was: Record<string, unknown> = {};
      for (const key of EDITABLE) {
        const value = checked[key] ?? null;
        if (!(key in given) || value === current[key]) continue;
        Object.assign(after, { [key]: value });
        was[key] = current[key];
      }
      if (Object.keys(after).length === 0) return null;
      await this.restaurants.update(manager, before.id, after);
      return { change: 'restaurant.edited', details: { before: was, after } };
    });
  }

  /** From now on its webhooks and API key are refused with RESTAURANT_DISABLED (other instances within their cache time). */
  disable(agencyId: string, restaurantId: string, actor: RestaurantActor): Promise<RestaurantAdminView> {
    return this.change(agencyId, restaurantId, actor, async (manager, before) => {
      if (before.disabledAt) return null;
      await this.restaurants.update(manager, before.id, { disabledAt: new Date() });
      return { change: 'restaurant.disabled', details: { name: before.name } };
    });
  }

  enable(agencyId: string, restaurantId: string, actor: RestaurantActor): Promise<RestaurantAdminView> {
    return this.change(agencyId, restaurantId, actor, async (manager, before) => {
      if (!before.disabledAt) return null;
      await this.restaurants.update(manager, before.id, { disabledAt: null });
      return { change: 'restaurant.enabled', details: { name: before.name } };
    });
  }

  /**
   * Locks the agency's restaurant (another agency's is RESTAURANT_NOT_FOUND, like one that does not exist), applies
   * `step`, records what it changed with who changed it, and answers the restaurant as it is after.
   */
  private async change(
    agencyId: string,
    restaurantId: string,
    actor: RestaurantActor,
    step: (manager: EntityManager, before: RestaurantEntity) => Promise<{ change: RestaurantChange; details: Record<string, unknown> } | null>,
  ): Promise<RestaurantAdminView> {
    const after = await this.dataSource.transaction(async (manager) => {
      const before = isUuid(restaurantId) ? await this.restaurants.lock(manager, restaurantId.toLowerCase()) : null;
      if (!before || before.agencyId !== agencyId) throw new DomainError('RESTAURANT_NOT_FOUND', `no restaurant ${restaurantId} in this agency`);
      const changed = await step(manager, before);
      if (!changed) return before;
      await recordChange(manager, { agencyId, restaurantId: before.id, actor, ...changed });
      return (await this.restaurants.lock(manager, before.id))!;
    });
    return restaurantAdminView(after);
  }
}

/** Writes the change's `restaurant.changed` event in the caller's transaction; the relay publishes it after commit. */
async function recordChange(manager: EntityManager, change: Omit<RestaurantChangedEvent, 'eventId' | 'occurredAt'>): Promise<void> {
  const event: RestaurantChangedEvent = { eventId: randomUUID(), occurredAt: new Date().toISOString(), ...change };
  await addToOutbox(manager, 'intake', { eventId: event.eventId, pattern: PATTERNS.RESTAURANT_CHANGED, payload: event });
}
