/**
 * The objective of a Bayesian fit of one patient: −2·log posterior of the random effects η given the record,
 *
 *   OFV(η) = Σ_observations −2·log p(yᵢ | η) + ηᵀΩ⁻¹η            (constants of the prior dropped)
 *
 * with, per observation of prediction f and residual SD s (model residual block):
 *  - additive / proportional / combined error: ((y − f)/s)² + log(2π s²)
 *  - exponential (log-normal) error: ((log y − log f)/s)² + log(2π s²) + 2·log y
 *  - below a limit L (BLQ: M3 method, Beal 2001; or a rating at the scale's lower end): −2·log Φ((L − f)/s)
 *    (on the log scale for exponential error), and above an upper end U: −2·log Φ((f − U)/s).
 * Missing observations are not in the design (design.ts lists them as unused, with the reason).
 *
 * The optimiser works in whitened coordinates u with η = L·u (L·Lᵀ = Ω): the prior term is uᵀu and every
 * direction has the same prior scale. Each evaluation is one simulation of the patient with the same compiled
 * model, data set and output buffers (no allocation of result columns).
 */

import { KetasimError } from '../core/errors.js';
import type { CompiledModelWithRandom, SolverSpec } from '../core/model/index.js';
import { residualSd } from '../core/random/residual.js';
import { simulate } from '../core/simulate/simulate.js';
import type { PatientDesign } from './design.js';
import { logNormCdf } from './normal.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** −2·log likelihood of one observation given its prediction f (Infinity where the likelihood is 0). */
export function observationTerm(residual: { additive?: number | undefined; proportional?: number | undefined; exponential?: number | undefined }, censoring: 'none' | 'below' | 'above', y: number, f: number): number {
  if (!Number.isFinite(f)) return Infinity;
  if (residual.exponential !== undefined) {
    const s = residual.exponential;
    if (!(f > 0)) return censoring === 'below' ? 0 : Infinity;
    const mu = Math.log(f);
    const ly = Math.log(y);
    if (censoring === 'none') {
      const z = (ly - mu) / s;
      return z * z + LOG_2PI + 2 * Math.log(s) + 2 * ly;
    }
    return censoring === 'below' ? -2 * logNormCdf((ly - mu) / s) : -2 * logNormCdf((mu - ly) / s);
  }
  const s = residualSd(residual, f);
  if (!(s > 0)) return Infinity;
  if (censoring === 'none') {
    const z = (y - f) / s;
    return z * z + LOG_2PI + 2 * Math.log(s);
  }
  return censoring === 'below' ? -2 * logNormCdf((y - f) / s) : -2 * logNormCdf((f - y) / s);
}

/** Individual weighted residual: (y − f)/s, on the log scale for exponential error; NaN for censored observations. */
export function iwres(residual: { additive?: number | undefined; proportional?: number | undefined; exponential?: number | undefined }, censoring: 'none' | 'below' | 'above', y: number, f: number): number {
  if (censoring !== 'none') return Number.NaN;
  if (residual.exponential !== undefined) return (Math.log(y) - Math.log(f)) / residual.exponential;
  return (y - f) / residualSd(residual, f);
}

export class FitError extends KetasimError {}

/**
 * OFV as a function of whitened random effects. `evaluate(u)` returns Infinity (never NaN, never throws) when
 * the model cannot be simulated there (a solver failure far in the tails), so that line searches back off.
 */
export class PatientObjective {
  readonly names: readonly string[];
  readonly n: number;
  /** Cholesky factor of Ω (row-major). */
  readonly chol: Float64Array;
  readonly omega: Float64Array;
  private readonly inputs: { names: readonly string[]; values: Float64Array };
  private readonly buffers: Float64Array[];
  private readonly eta: Float64Array;
  evaluations = 0;
  lastError: string | undefined;
  private readonly solver: Partial<SolverSpec> | undefined;

  constructor(
    readonly model: CompiledModelWithRandom,
    readonly design: PatientDesign,
    options: { solver?: Partial<SolverSpec> } = {},
  ) {
    const random = model.randomEffects;
    this.names = random.names;
    this.n = random.names.length;
    if (this.n === 0) throw new FitError(`model ${model.name} has no random effects: there is nothing to individualise`);
    for (let i = 0; i < this.n; i++) {
      if (!((random.cholesky[i * this.n + i] as number) > 0)) throw new FitError(`random effect ${random.names[i]} has zero variance (or is fully correlated): Ω must be positive definite to fit`);
    }
    this.chol = random.cholesky;
    this.omega = random.covariance;
    this.eta = new Float64Array(this.n);
    this.inputs = { names: random.names, values: this.eta };
    const rows = design.dataset.subjects[0]?.n ?? 0;
    this.buffers = model.outputNames.map(() => new Float64Array(rows));
    this.solver = options.solver;
  }

  /** η = L·u. */
  etaOf(u: ArrayLike<number>, out: Float64Array = new Float64Array(this.n)): Float64Array {
    const n = this.n;
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c <= r; c++) s += (this.chol[r * n + c] as number) * (u[c] as number);
      out[r] = s;
    }
    return out;
  }

  /** u = L⁻¹·η. */
  whiten(eta: ArrayLike<number>): Float64Array {
    const n = this.n;
    const u = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let s = eta[r] as number;
      for (let c = 0; c < r; c++) s -= (this.chol[r * n + c] as number) * (u[c] as number);
      u[r] = s / (this.chol[r * n + r] as number);
    }
    return u;
  }

  /** Simulate with these etas; the returned columns are reused by the next call. */
  predict(eta: ArrayLike<number>): readonly Float64Array[] {
    for (let i = 0; i < this.n; i++) this.eta[i] = eta[i] as number;
    const options = { subjectInputs: this.inputs, outputBuffers: this.buffers, ...(this.solver !== undefined ? { solver: this.solver } : {}) };
    return simulate(this.model, this.design.dataset, options).values;
  }

  /** Σ observation terms at etas η (Infinity if the model fails there). */
  likelihoodTerm(eta: ArrayLike<number>): number {
    this.evaluations++;
    let values: readonly Float64Array[];
    try {
      values = this.predict(eta);
    } catch (e) {
      if (e instanceof KetasimError) {
        this.lastError = e.message;
        return Infinity;
      }
      throw e;
    }
    let sum = 0;
    for (const o of this.design.observations) {
      sum += observationTerm(o.residual, o.censoring, o.value, (values[o.output] as Float64Array)[o.row] as number);
    }
    return Number.isNaN(sum) ? Infinity : sum;
  }

  /** OFV at whitened u: likelihood terms + uᵀu. */
  evaluate(u: ArrayLike<number>): number {
    let prior = 0;
    for (let i = 0; i < this.n; i++) prior += (u[i] as number) * (u[i] as number);
    return this.likelihoodTerm(this.etaOf(u)) + prior;
  }
}
