import { GridRiderIndex } from './grid-rider-index.js';
import { LinearRiderIndex } from './linear-rider-index.js';
import type { RiderIndex } from './rider-index.js';

export const RIDER_INDEX_KINDS = ['grid', 'linear'] as const;
export type RiderIndexKind = (typeof RIDER_INDEX_KINDS)[number];

/**
 * The rider index named by DISPATCH_RIDER_INDEX: `grid` (the default, see GridRiderIndex for why) or `linear`
 * (the baseline, kept so benchmarks can compare in one run). Anything else fails at startup, naming the variable.
 */
export function riderIndexFromEnv(env: NodeJS.ProcessEnv = process.env): RiderIndex {
  const kind = env.DISPATCH_RIDER_INDEX?.trim() || 'grid';
  if (!(RIDER_INDEX_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`DISPATCH_RIDER_INDEX must be one of ${RIDER_INDEX_KINDS.join(', ')}, not '${kind}'`);
  }
  return kind === 'grid' ? new GridRiderIndex() : new LinearRiderIndex();
}
