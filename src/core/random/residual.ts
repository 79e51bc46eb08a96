/**
 * Residual (observation-level) error, as NONMEM's $ERROR with one epsilon per observation: an observation from
 * a model prediction and a standard normal draw z, and the SD a likelihood needs. Pure.
 */

import type { ResidualSpec } from '../model/spec.js';

/** SD of the observation around the prediction (on the log scale for exponential error). */
export function residualSd(spec: ResidualSpec, prediction: number): number {
  if (spec.exponential !== undefined) return spec.exponential;
  const a = spec.additive ?? 0;
  const b = (spec.proportional ?? 0) * prediction;
  return Math.sqrt(a * a + b * b);
}

/**
 * The observation for prediction f and standard normal z: f + sd·z (additive, proportional, combined) or
 * f·exp(sd·z) (exponential), then set to the nearest end of the instrument's range when outside it.
 */
export function observation(spec: ResidualSpec, prediction: number, z: number): number {
  const y = spec.exponential !== undefined ? prediction * Math.exp(spec.exponential * z) : prediction + residualSd(spec, prediction) * z;
  const range = spec.range;
  if (range === undefined) return y;
  return Math.min(range[1], Math.max(range[0], y));
}
