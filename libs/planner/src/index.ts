export * from './geometry.js';
export * from './matching/grid-rider-index.js';
export * from './matching/linear-rider-index.js';
export * from './matching/rider-index.js';
export * from './matching/rider-index.choice.js';
export * from './matching/scoring.js';
