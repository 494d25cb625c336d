import { GridRiderIndex } from './grid-rider-index.js';
import { LinearRiderIndex } from './linear-rider-index.js';
import type { RiderIndex } from './rider-index.js';

/**
 * The rider index DISPATCH_RIDER_INDEX names (validated with the rest of the configuration): `grid`, the default
 * (see GridRiderIndex for why), or `linear`, the baseline kept so benchmarks can compare both in one run.
 */
export function createRiderIndex(kind: 'grid' | 'linear'): RiderIndex {
  return kind === 'grid' ? new GridRiderIndex() : new LinearRiderIndex();
}
