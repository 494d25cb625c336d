import { IntakeOrders1763856000000 } from './1763856000000-intake-orders.js';
import { IntakeLocating1763942400000 } from './1763942400000-intake-locating.js';
import { IntakeCallbacks1764201600000 } from './1764201600000-intake-callbacks.js';
import { IntakeFailed1764201800000 } from './1764201800000-intake-failed.js';
import { IntakeRiderChanges1764201900000 } from './1764201900000-intake-rider-changes.js';
import { IntakeCallbackBacklog1765000000000 } from './1765000000000-intake-callback-backlog.js';
import { IntakeOrderTiming1765200000000 } from './1765200000000-intake-order-timing.js';
import { IntakeOperatorEntry1765300000000 } from './1765300000000-intake-operator-entry.js';
import { IntakeRestaurantDisabled1765900000000 } from './1765900000000-intake-restaurant-disabled.js';
import { IntakeCredentialRotation1766000000000 } from './1766000000000-intake-credential-rotation.js';

export const INTAKE_MIGRATIONS = [IntakeOrders1763856000000, IntakeLocating1763942400000, IntakeCallbacks1764201600000, IntakeFailed1764201800000, IntakeRiderChanges1764201900000, IntakeCallbackBacklog1765000000000, IntakeOrderTiming1765200000000, IntakeOperatorEntry1765300000000, IntakeRestaurantDisabled1765900000000, IntakeCredentialRotation1766000000000];
