/**
 * Virtual patients' random effects: eta = L·z with L the Cholesky factor of the model's Ω and z standard normals
 * from the subject's own counter-based stream, so subject k's etas depend only on (seed, k).
 */

import type { RandomEffects } from '../model/random-effects.js';
import { float64 } from '../buffers.js';
import { SubjectRandom } from './philox.js';

/** Stream numbers of the independent uses of randomness for one subject. */
export const STREAMS = { randomEffects: 0, covariates: 1, residualError: 2, dropout: 3, placebo: 4 } as const;

/**
 * Etas of subjects firstSubject … firstSubject + count − 1, row-major (`values[i * names.length + j]`), in the
 * layout of SimulateOptions.subjectInputs.
 */
export function sampleEtas(random: RandomEffects, seed: number, count: number, firstSubject = 0): { names: readonly string[]; values: Float64Array } {
  const n = random.names.length;
  const values = float64(count * n);
  const z = new Float64Array(n);
  const L = random.cholesky;
  for (let i = 0; i < count; i++) {
    const rng = new SubjectRandom(seed, firstSubject + i, STREAMS.randomEffects);
    for (let j = 0; j < n; j++) z[j] = rng.normal();
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c <= r; c++) s += (L[r * n + c] as number) * (z[c] as number);
      values[i * n + r] = s;
    }
  }
  return { names: random.names, values };
}
