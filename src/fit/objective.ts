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
 * model, data set and output buffers (no allocation of result columns), except that random effects which reach
 * only outputs (model/dependencies.ts: e.g. an Emax or a baseline on top of an ODE) need no new simulation: the
 * states of a recent simulation with the same values of the dynamic random effects are kept, and the outputs
 * re-evaluated from them for the new values (simulate/outputs-from-states.ts; bit for bit the same predictions).
 */

import { KetasimError } from '../core/errors.js';
import type { CompiledModelWithRandom, SolverSpec } from '../core/model/index.js';
import { modelDependencies } from '../core/model/dependencies.js';
import { residualSd } from '../core/random/residual.js';
import { OutputEvaluator } from '../core/simulate/outputs-from-states.js';
import { simulate } from '../core/simulate/simulate.js';
import type { PatientDesign } from './design.js';
import { logNormCdf } from './normal.js';
import type { SumOfTermsProblem } from './optimize.js';

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

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * First derivative of observationTerm with respect to the prediction f, and a non-negative curvature weight for a
 * Gauss–Newton (Fisher scoring) Hessian: 2·(Fisher information about f) for observed values, the exact second
 * derivative in the censoring bound's z for censored ones (−2·log Φ is convex in z; the curvature of z(f) itself is
 * dropped, as in Gauss–Newton). out[0] = dterm/df, out[1] = weight; both 0 where the term is flat or infinite.
 */
export function observationTermDerivatives(residual: { additive?: number | undefined; proportional?: number | undefined; exponential?: number | undefined }, censoring: 'none' | 'below' | 'above', y: number, f: number, out: Float64Array): void {
  out[0] = 0;
  out[1] = 0;
  if (!Number.isFinite(f)) return;
  let z: number;
  let dz: number;
  if (residual.exponential !== undefined) {
    const s = residual.exponential;
    if (!(f > 0)) return;
    const mu = Math.log(f);
    if (censoring === 'none') {
      const r = (Math.log(y) - mu) / s;
      out[0] = (-2 * r) / (s * f);
      out[1] = 2 / (s * s * f * f);
      return;
    }
    z = censoring === 'below' ? (Math.log(y) - mu) / s : (mu - Math.log(y)) / s;
    dz = censoring === 'below' ? -1 / (s * f) : 1 / (s * f);
  } else {
    const s = residualSd(residual, f);
    if (!(s > 0)) return;
    const b = residual.proportional ?? 0;
    const ds = (b * b * f) / s;
    if (censoring === 'none') {
      const r = (y - f) / s;
      out[0] = 2 * r * (-1 / s - (r * ds) / s) + (2 * ds) / s;
      out[1] = 2 / (s * s) + 4 * (ds / s) * (ds / s);
      return;
    }
    z = censoring === 'below' ? (y - f) / s : (f - y) / s;
    dz = censoring === 'below' ? -1 / s - (z * ds) / s : 1 / s - (z * ds) / s;
  }
  // term = −2·log Φ(z): d/dz = −2λ, d²/dz² = 2λ(z + λ) with λ = φ(z)/Φ(z) (inverse Mills ratio).
  const lambda = Math.exp(-0.5 * z * z - LOG_SQRT_2PI - logNormCdf(z));
  out[0] = -2 * lambda * dz;
  out[1] = Math.max(0, 2 * lambda * (z + lambda)) * dz * dz;
}

export class FitError extends KetasimError {}

/** A stored simulation: the values of the dynamic random effects and the states they produced (one column per compartment). */
interface StoredStates {
  readonly key: Float64Array;
  readonly states: Float64Array[];
}

/**
 * Simulations kept for re-evaluating outputs (finite-difference stencils revisit a handful of dynamic values; the
 * prior mean is asked again for PRED): at most 32, and at most about 4 MB of states.
 */
const MAX_STORED_SIMULATIONS = 32;
const MAX_STORED_VALUES = 500_000;

/**
 * OFV as a function of whitened random effects. `evaluate(u)` returns Infinity (never NaN, never throws) when
 * the model cannot be simulated there (a solver failure far in the tails), so that line searches back off.
 */
export class PatientObjective implements SumOfTermsProblem {
  readonly names: readonly string[];
  readonly n: number;
  /** Cholesky factor of Ω (row-major). */
  readonly chol: Float64Array;
  readonly omega: Float64Array;
  /** Number of observations in the objective (SumOfTermsProblem). */
  readonly m: number;
  private readonly inputs: { names: readonly string[]; values: Float64Array };
  private readonly buffers: Float64Array[];
  private readonly outputColumns: Float64Array[];
  private readonly eta: Float64Array;
  private readonly etaScratch: Float64Array;
  private readonly termScratch = new Float64Array(2);
  /** Model evaluations (simulations and re-evaluations of outputs). */
  evaluations = 0;
  /** Simulations (solutions of the dynamics); the rest of the evaluations re-evaluated outputs from stored states. */
  simulations = 0;
  lastError: string | undefined;
  private readonly solver: Partial<SolverSpec> | undefined;
  /** Indices (in names) of the random effects that reach the dynamics, when some do not (else undefined: every evaluation simulates). */
  private readonly dynamicIndex: Int32Array | undefined;
  private readonly evaluator: OutputEvaluator | undefined;
  private readonly stored: StoredStates[] = [];

  constructor(
    readonly model: CompiledModelWithRandom,
    readonly design: PatientDesign,
    options: { solver?: Partial<SolverSpec>; reuseStates?: boolean } = {},
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
    this.etaScratch = new Float64Array(this.n);
    this.inputs = { names: random.names, values: this.eta };
    this.m = design.observations.length;
    const rows = design.dataset.subjects[0]?.n ?? 0;
    this.solver = options.solver;
    const deps = modelDependencies(model);
    const dynamic = random.names.flatMap((name, i) => (deps.dynamicInputs.has(name) ? [i] : []));
    if (options.reuseStates !== false && dynamic.length < this.n) {
      this.dynamicIndex = Int32Array.from(dynamic);
      this.evaluator = new OutputEvaluator(model, design.dataset, { subjectInputNames: random.names });
      this.buffers = [...model.outputNames, ...model.compartments].map(() => new Float64Array(rows));
    } else {
      this.buffers = model.outputNames.map(() => new Float64Array(rows));
    }
    this.outputColumns = this.buffers.slice(0, model.outputNames.length);
  }

  /**
   * Per whitened component u_j: true when changing it changes a random effect that reaches the dynamics (a new
   * simulation), false when only outputs need re-evaluating (microseconds).
   */
  get needsSimulation(): boolean[] {
    const dynamic = this.dynamicIndex;
    const n = this.n;
    return Array.from({ length: n }, (_, j) => dynamic === undefined || [...dynamic].some((i) => i >= j && (this.chol[i * n + j] as number) !== 0));
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

  /** Simulate with these etas (or re-evaluate the outputs of a stored simulation); the returned columns are reused by the next call. */
  predict(eta: ArrayLike<number>): readonly Float64Array[] {
    for (let i = 0; i < this.n; i++) this.eta[i] = eta[i] as number;
    const dynamic = this.dynamicIndex;
    if (dynamic !== undefined) {
      const hit = this.lookup(dynamic);
      if (hit !== undefined) {
        (this.evaluator as OutputEvaluator).evaluate(hit.states, this.outputColumns, this.eta);
        return this.outputColumns;
      }
    }
    this.simulations++;
    const options = { subjectInputs: this.inputs, outputBuffers: this.buffers, includeStates: dynamic !== undefined, ...(this.solver !== undefined ? { solver: this.solver } : {}) };
    simulate(this.model, this.design.dataset, options);
    if (dynamic !== undefined) this.store(dynamic);
    return this.outputColumns;
  }

  private lookup(dynamic: Int32Array): StoredStates | undefined {
    for (let k = 0; k < this.stored.length; k++) {
      const entry = this.stored[k] as StoredStates;
      let same = true;
      for (let j = 0; j < dynamic.length && same; j++) same = entry.key[j] === this.eta[dynamic[j] as number];
      if (same) {
        // Most recently used first.
        if (k > 0) {
          this.stored.splice(k, 1);
          this.stored.unshift(entry);
        }
        return entry;
      }
    }
    return undefined;
  }

  private store(dynamic: Int32Array): void {
    const nOut = this.outputColumns.length;
    const capacity = Math.max(2, Math.min(MAX_STORED_SIMULATIONS, Math.floor(MAX_STORED_VALUES / Math.max(1, (this.buffers.length - nOut) * (this.buffers[0]?.length ?? 0)))));
    const recycled = this.stored.length >= capacity ? this.stored.pop() : undefined;
    const entry: StoredStates = recycled ?? { key: new Float64Array(dynamic.length), states: this.buffers.slice(nOut).map((c) => new Float64Array(c.length)) };
    for (let j = 0; j < dynamic.length; j++) entry.key[j] = this.eta[dynamic[j] as number] as number;
    for (let c = 0; c < entry.states.length; c++) (entry.states[c] as Float64Array).set(this.buffers[nOut + c] as Float64Array);
    this.stored.unshift(entry);
  }

  /** Σ observation terms at etas η (Infinity if the model fails there). */
  likelihoodTerm(eta: ArrayLike<number>): number {
    let values: readonly Float64Array[];
    try {
      values = this.tryPredict(eta);
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

  private tryPredict(eta: ArrayLike<number>): readonly Float64Array[] {
    this.evaluations++;
    return this.predict(eta);
  }

  /** OFV at whitened u: likelihood terms + uᵀu. */
  evaluate(u: ArrayLike<number>): number {
    let prior = 0;
    for (let i = 0; i < this.n; i++) prior += (u[i] as number) * (u[i] as number);
    return this.likelihoodTerm(this.etaOf(u, this.etaScratch)) + prior;
  }

  /** SumOfTermsProblem: the predictions of the observations at whitened u; false where the model fails. */
  predictions(u: Float64Array, p: Float64Array): boolean {
    let values: readonly Float64Array[];
    try {
      values = this.tryPredict(this.etaOf(u, this.etaScratch));
    } catch (e) {
      if (e instanceof KetasimError) {
        this.lastError = e.message;
        return false;
      }
      throw e;
    }
    const obs = this.design.observations;
    for (let i = 0; i < obs.length; i++) {
      const o = obs[i] as (typeof obs)[number];
      p[i] = (values[o.output] as Float64Array)[o.row] as number;
    }
    return true;
  }

  /** SumOfTermsProblem: Σ observation terms of predictions p (Infinity, never NaN). */
  terms(p: Float64Array): number {
    const obs = this.design.observations;
    let sum = 0;
    for (let i = 0; i < obs.length; i++) {
      const o = obs[i] as (typeof obs)[number];
      sum += observationTerm(o.residual, o.censoring, o.value, p[i] as number);
    }
    return Number.isNaN(sum) ? Infinity : sum;
  }

  /** SumOfTermsProblem: derivative of each term in its prediction, and its Gauss–Newton weight. */
  termDerivatives(p: Float64Array, d1: Float64Array, w: Float64Array): void {
    const obs = this.design.observations;
    const out = this.termScratch;
    for (let i = 0; i < obs.length; i++) {
      const o = obs[i] as (typeof obs)[number];
      observationTermDerivatives(o.residual, o.censoring, o.value, p[i] as number, out);
      d1[i] = out[0] as number;
      w[i] = out[1] as number;
    }
  }
}
