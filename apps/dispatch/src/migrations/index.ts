import { Dispatch1763942400000 } from './1763942400000-dispatch.js';
import { DispatchFeeAgencies1764028800000 } from './1764028800000-dispatch-fee-agencies.js';
import { DispatchRiderPresence1764201600000 } from './1764201600000-dispatch-rider-presence.js';
import { DispatchOfferPolicies1764201700000 } from './1764201700000-dispatch-offer-policies.js';
import { DispatchDeliveryLifecycle1764201800000 } from './1764201800000-dispatch-delivery-lifecycle.js';
import { DispatchRiderLocks1764806400000 } from './1764806400000-dispatch-rider-locks.js';
import { DispatchDeliveryTiming1765100000000 } from './1765100000000-dispatch-delivery-timing.js';
import { DispatchDeliveryReadyChange1765200000000 } from './1765200000000-dispatch-delivery-ready-change.js';
import { DispatchDeliveryDecisions1765300000000 } from './1765300000000-dispatch-delivery-decisions.js';
import { DispatchRiderReceipts1765400000000 } from './1765400000000-dispatch-rider-receipts.js';
import { DispatchAgenciesToIntake1765500000000 } from './1765500000000-dispatch-agencies-to-intake.js';
import { DispatchDeliveryPayment1765510000000 } from './1765510000000-dispatch-delivery-payment.js';
import { DispatchOperators1765600000000 } from './1765600000000-dispatch-operators.js';
import { DispatchRiderDisabled1765600100000 } from './1765600100000-dispatch-rider-disabled.js';
import { DispatchAgencyLeases1765700000000 } from './1765700000000-dispatch-agency-leases.js';
import { DispatchBoardSearch1765900000000 } from './1765900000000-dispatch-board-search.js';
import { DispatchCredentialRotation1766000000000 } from './1766000000000-dispatch-credential-rotation.js';
import { DispatchAuditOrderEntered1766100000000 } from './1766100000000-dispatch-audit-order-entered.js';
import { DispatchDeliverySearch1766200000000 } from './1766200000000-dispatch-delivery-search.js';

export const DISPATCH_MIGRATIONS = [
  Dispatch1763942400000,
  DispatchFeeAgencies1764028800000,
  DispatchRiderPresence1764201600000,
  DispatchOfferPolicies1764201700000,
  DispatchDeliveryLifecycle1764201800000,
  DispatchRiderLocks1764806400000,
  DispatchDeliveryTiming1765100000000,
  DispatchDeliveryReadyChange1765200000000,
  DispatchDeliveryDecisions1765300000000,
  DispatchRiderReceipts1765400000000,
  DispatchAgenciesToIntake1765500000000,
  DispatchDeliveryPayment1765510000000,
  DispatchOperators1765600000000,
  DispatchRiderDisabled1765600100000,
  DispatchAgencyLeases1765700000000,
  DispatchBoardSearch1765900000000,
  DispatchCredentialRotation1766000000000,
  DispatchAuditOrderEntered1766100000000,
  DispatchDeliverySearch1766200000000,
];
