import { Dispatch1763942400000 } from './1763942400000-dispatch.js';
import { DispatchFeeAgencies1764028800000 } from './1764028800000-dispatch-fee-agencies.js';
import { DispatchDeliveryLifecycle1764201800000 } from './1764201800000-dispatch-delivery-lifecycle.js';

export const DISPATCH_MIGRATIONS = [Dispatch1763942400000, DispatchFeeAgencies1764028800000, DispatchDeliveryLifecycle1764201800000];
