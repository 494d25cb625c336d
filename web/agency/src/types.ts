/** The shapes the dashboard reads, as docs/agency-api.md and docs/fees.md describe them. */

export type DeliveryStatus = 'pending' | 'offered' | 'assigned' | 'picked_up' | 'delivered' | 'cancelled' | 'failed';

export interface LngLat {
  lng: number;
  lat: number;
}

export interface Delivery {
  id: string;
  orderId: string;
  restaurantName: string | null;
  status: DeliveryStatus;
  pickup: LngLat & { address?: string | null };
  dropoff: LngLat & { address?: string | null; detail?: string | null };
  fee: { total: number; riderPay?: number; provider?: string; estimated?: boolean; distanceMeters?: number } | null;
  /** Why fee refused to price it (no tariff, outside the service area...), as the server sends it. */
  pricingProblem: { code: string; message: string; at: string } | null;
  feePending: boolean;
  needsManualDispatch: { since: string } | null;
  rider: { id: string; name: string } | null;
  /** Offers waiting for an answer: `seen` once the rider's app acknowledged it. */
  offers?: Array<{ offerId: string; riderId: string; expiresAt: string; seen: boolean; seenAt: string | null }>;
  assignedBy: 'rider' | 'agency' | null;
  dispatchHold: boolean;
  /** The planner's latest decision (docs/planner.md); null until planned. */
  dispatchDecision: DispatchDecision | null;
  failureReason: string | null;
  /** When the food is ready, when it was promised, and what the restaurant said since (ready now, delayed). */
  readyAt: string | null;
  promisedAt: string | null;
  readyChange: 'ready' | 'delayed' | null;
  waitingSeconds: number;
  inStatusSeconds: number;
  createdAt: string;
}

export type HoldReason = 'NOT_YET_DUE' | 'RIDER_BUSY' | 'RIDERS_TAKEN' | 'NO_RIDER';

/** Offered to whom and why, or held and why: the planner's own summary, and the runner-up rider when offered. */
export interface DispatchDecision {
  outcome: 'offered' | 'held';
  reason: HoldReason | null;
  summary: string;
  riderIds: string[];
  runnerUp: { riderId: string; extraSeconds: number } | null;
  offerAt: string | null;
  bundleWith: string[];
  decidedAt: string;
}

export type RiderState = 'online' | 'on_break' | 'silent' | 'offline';

export interface Rider {
  id: string;
  name: string;
  capacity: number;
  state: RiderState;
  online: boolean;
  position: (LngLat & { at: string; ageSeconds: number }) | null;
  load: { active: number; offered: number; capacity: number };
  lastSeenAt: string | null;
  /** Disabled by the agency: its token is refused until enabled again. */
  disabled?: boolean;
}

export interface ProviderHealth {
  provider: string;
  capability: 'routing' | 'geocoding';
  state: 'closed' | 'half_open' | 'open' | 'no_credentials';
  inFlight?: number;
  rateLimitedUntil?: string;
  lastError?: { outcome: string; message: string; at: string };
  counts: Record<string, number>;
}

export interface FeeHealth {
  status: 'ok' | 'degraded' | 'down';
  checks: Array<{ name: string; status: 'up' | 'down'; error?: string; providers?: ProviderHealth[] }>;
}

export interface ReconciliationStatus {
  pending: number;
  oldestPricedAt: string | null;
  /** Estimates a real provider could not re-price; retried later, then left as estimated. */
  failing: number;
  adjustedToday: number;
}

/** The tariff is edited as loose JSON: the form knows the main fields, the JSON editor everything. */
export type Tariff = Record<string, unknown>;

export interface TariffView {
  agencyId: string;
  version: number;
  effectiveFrom: string;
  createdAt: string;
  tariff: Tariff;
  scheduled?: TariffView[];
}

export interface FieldError {
  field: string;
  value?: unknown;
  reason: string;
}

/** One of the agency's restaurants as `GET …/restaurants` lists it (never its secrets). */
export interface Restaurant {
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
