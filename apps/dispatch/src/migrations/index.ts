import { Dispatch1763942400000 } from './1763942400000-dispatch.js';
import { DispatchFeeAgencies1764028800000 } from './1764028800000-dispatch-fee-agencies.js';
import { DispatchRiderPresence1764201600000 } from './1764201600000-dispatch-rider-presence.js';
import { DispatchOfferPolicies1764201700000 } from './1764201700000-dispatch-offer-policies.js';
import { DispatchDeliveryLifecycle1764201800000 } from './1764201800000-dispatch-delivery-lifecycle.js';
import { DispatchRiderLocks1764806400000 } from './1764806400000-dispatch-rider-locks.js';
import { DispatchDeliveryTiming1765100000000 } from './1765100000000-dispatch-delivery-timing.js';
import { DispatchDeliveryReadyChange1765200000000 } from './1765200000000-dispatch-delivery-ready-change.js';
import { DispatchOperators1765300000000 } from './1765300000000-dispatch-operators.js';
import { DispatchRiderDisabled1765300100000 } from './1765300100000-dispatch-rider-disabled.js';

export const DISPATCH_MIGRATIONS = [Dispatch1763942400000, DispatchFeeAgencies1764028800000, DispatchRiderPresence1764201600000, DispatchOfferPolicies1764201700000, DispatchDeliveryLifecycle1764201800000, DispatchRiderLocks1764806400000, DispatchDeliveryTiming1765100000000, DispatchDeliveryReadyChange1765200000000, DispatchOperators1765300000000, DispatchRiderDisabled1765300100000];
