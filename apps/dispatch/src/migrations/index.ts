import { Dispatch1763942400000 } from './1763942400000-dispatch.js';

export const DISPATCH_MIGRATIONS = [Dispatch1763942400000];
