export * from './geometry.js';
export * from './matching/grid-rider-index.js';
export * from './matching/linear-rider-index.js';
export * from './matching/rider-index.js';
export * from './matching/rider-index.choice.js';
export * from './matching/scoring.js';
export * from './plan-round.js';
export * from './planner.types.js';
export { earliestDropoff, WEIGHTS } from './route.js';
