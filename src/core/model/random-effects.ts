/**
 * Between-subject variability: the covariance matrix Ω of the random effects (etas), from the variances, SDs or
 * CVs given per effect and the correlations listed in the model. Checked to be a valid covariance matrix
 * (symmetric positive semi-definite) and factorised (Cholesky) for sampling.
 */

import { ModelError } from '../errors.js';
import type { ModelSpec } from './spec.js';

export interface RandomEffects {
  readonly names: readonly string[];
  /** Ω, row-major n×n. */
  readonly covariance: Float64Array;
  /** Lower-triangular L with L·Lᵀ = Ω (row-major), for drawing eta = L·z. */
  readonly cholesky: Float64Array;
}

export function randomEffectsCovariance(spec: Pick<ModelSpec, 'random' | 'correlations'>): RandomEffects {
  const names = Object.keys(spec.random);
  const n = names.length;
  const sd = names.map((name) => {
    const r = spec.random[name] as { variance?: number; sd?: number; cv?: number };
    if (r.variance !== undefined) return Math.sqrt(r.variance);
    if (r.sd !== undefined) return r.sd;
    return Math.sqrt(Math.log(1 + (r.cv as number) ** 2));
  });
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) cov[i * n + i] = (sd[i] as number) ** 2;
  const seen = new Set<string>();
  spec.correlations.forEach(([a, b, rho], k) => {
    const i = names.indexOf(a);
    const j = names.indexOf(b);
    const path = `correlations[${k}]`;
    if (i < 0) throw new ModelError(`${a} is not a random effect`, path);
    if (j < 0) throw new ModelError(`${b} is not a random effect`, path);
    if (i === j) throw new ModelError(`a correlation needs two different random effects`, path);
    const key = i < j ? `${i},${j}` : `${j},${i}`;
    if (seen.has(key)) throw new ModelError(`correlation between ${a} and ${b} given twice`, path);
    seen.add(key);
    const c = rho * (sd[i] as number) * (sd[j] as number);
    cov[i * n + j] = c;
    cov[j * n + i] = c;
  });
  const chol = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = cov[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (chol[i * n + k] as number) * (chol[j * n + k] as number);
      if (i === j) {
        if (s < -1e-12 * Math.max(1, cov[i * n + i] as number)) {
          throw new ModelError(`the random-effect covariance matrix is not positive semi-definite (check the correlations involving ${names[i]})`, 'correlations');
        }
        chol[i * n + i] = Math.sqrt(Math.max(s, 0));
      } else {
        const d = chol[j * n + j] as number;
        chol[i * n + j] = d > 0 ? s / d : 0;
      }
    }
  }
  return { names, covariance: cov, cholesky: chol };
}
