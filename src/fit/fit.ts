/**
 * Bayesian individualisation of one patient: maximum a posteriori (MAP) random effects with the population model
 * as the prior, uncertainty by the Laplace approximation (the curvature of the objective at the mode) or by
 * sampling–importance resampling from it, shrinkage, and goodness of fit. Pure: the CLI reads the files.
 */

import type { CompiledModelWithRandom, SolverSpec } from '../core/model/index.js';
import { modelDependencies } from '../core/model/dependencies.js';
import { normalQuantile, SubjectRandom } from '../core/random/philox.js';
import { runEnvironment } from '../core/simulate/simulate.js';
import { buildDesign, type Censoring, type DesignOptions, type PatientDesign, type UnusedObservation } from './design.js';
import { choleskyPd, inverseFromCholesky } from './linalg.js';
import { FitError, iwres, observationTerm, PatientObjective } from './objective.js';
import { hessian, minimizeBfgs, minimizeLevenbergMarquardt, type MinimizeResult } from './optimize.js';
import type { PatientRecord } from './record.js';

/** z for a two-sided 90% interval. */
const Z90 = 1.6448536269514722;

export interface FitOptions extends DesignOptions {
  /** 'laplace' (default): normal approximation at the mode; 'sir': sampling–importance resampling from it. */
  readonly uncertainty?: 'laplace' | 'sir';
  /** Posterior draws kept (for intervals of individual parameters and forecasts). Default 1000. */
  readonly draws?: number;
  /** SIR: proposals per kept draw (default 4) and the inflation of the proposal's SD (default 1.5). */
  readonly sirProposals?: number;
  readonly sirInflation?: number;
  readonly seed?: number;
  /** Extra starting points for the optimiser (deterministic spread around the prior mean). Default 0. */
  readonly extraStarts?: number;
  readonly solver?: Partial<SolverSpec>;
  /** Gradient tolerance (objective units per unit of whitened eta). Default 1e-6 (closed form), 1e-3 (ODE models: finite differences of an adaptive solution are noisier). */
  readonly gtol?: number;
  /** Finite-difference steps (whitened eta) for the gradient and the Hessian. */
  readonly gradientStep?: number;
  readonly hessianStep?: number;
  /**
   * 'lm' (default): Levenberg–Marquardt on the observation terms with a finite-difference Jacobian of the
   * predictions, continued by BFGS if it stops above the gradient tolerance; 'bfgs': BFGS with finite-difference
   * gradients of the objective only. Both find the same mode.
   */
  readonly optimizer?: 'lm' | 'bfgs';
  /**
   * Differences of the Levenberg–Marquardt Jacobian: 'auto' (default) forward where a step needs a new simulation
   * (random effects that reach the dynamics of an ODE model), central elsewhere; or 'central', 'forward' throughout.
   */
  readonly differences?: 'auto' | 'central' | 'forward';
  /** Keep simulations and re-evaluate outputs for random effects that reach only outputs (default true). */
  readonly reuseStates?: boolean;
}

export interface EtaEstimate {
  readonly name: string;
  readonly priorSd: number;
  readonly estimate: number;
  readonly posteriorSd: number;
  readonly ci90: readonly [number, number];
  /** Posterior SD / prior SD: 1 = the record says nothing about this effect (complete shrinkage), 0 = fully determined. */
  readonly sdRatio: number;
}

export interface ParameterEstimate {
  readonly name: string;
  /** Value for the patient's covariates with all etas 0 (the population's typical value). */
  readonly typical: number;
  /** Value at the MAP etas. */
  readonly estimate: number;
  readonly median: number;
  readonly ci90: readonly [number, number];
}

export interface FittedObservation {
  readonly index: number;
  readonly where: string;
  readonly timeH: number;
  readonly type: string;
  readonly unit: string;
  /** Observed value in the type's unit (censoring bound when censored). */
  readonly observed: number;
  readonly censoring: Censoring;
  /** Prediction at the MAP etas, and for the typical patient (etas 0). */
  readonly ipred: number;
  readonly pred: number;
  readonly iwres: number;
  /** −2 log likelihood of this observation at the MAP. */
  readonly ofv: number;
}

export interface FitResult {
  readonly model: string;
  readonly patient: string;
  readonly converged: boolean;
  readonly message: string;
  readonly iterations: number;
  readonly evaluations: number;
  readonly objective: { readonly total: number; readonly observations: number; readonly prior: number };
  readonly etas: readonly EtaEstimate[];
  /** The covariates the model reads, at time zero, and their later changes (each from its time on). */
  readonly covariates: { readonly initial: Readonly<Record<string, number>>; readonly changes: readonly { readonly timeH: number; readonly values: Readonly<Record<string, number>> }[] };
  /** Individual variables of the model that depend on the random effects. */
  readonly parameters: readonly ParameterEstimate[];
  /** Covariance of the etas (Laplace, or of the SIR draws), row-major. */
  readonly covariance: readonly number[];
  readonly uncertainty: { readonly method: 'laplace' | 'sir'; readonly draws: number; readonly effectiveSampleSize?: number; readonly hessianPositiveDefinite: boolean };
  readonly observations: readonly FittedObservation[];
  readonly unused: readonly { readonly where: string; readonly type: string; readonly timeH: number; readonly reason: string }[];
  readonly warnings: readonly string[];
  readonly timingsMs: { readonly map: number; readonly uncertainty: number; readonly total: number };
}

/** The fit with what forecasts need (posterior draws, the objective) beside the JSON-able result. */
export interface PatientFit {
  readonly result: FitResult;
  readonly design: PatientDesign;
  readonly objective: PatientObjective;
  readonly mapEta: Float64Array;
  /** Posterior draws of the etas, row-major (draws × n). */
  readonly draws: Float64Array;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Solver settings for fitting ODE models: finite differences need smooth objectives, so at most rtol 1e-4 and atol
 * 1e-6 (tighter than the clinical models' simulation defaults). For ketamine-depression and the example patient the
 * predictions at 1e-4 are within 1e-8 points of a 1e-12 solution and the mode equals a 1e-10 fit's to 3e-4 prior
 * SDs (test/fit/speed.test.ts); 1e-6 costs about twice as much for no change in the mode.
 */
export function fitSolver(model: CompiledModelWithRandom, override: Partial<SolverSpec> | undefined): Partial<SolverSpec> | undefined {
  if (override !== undefined) return override;
  if (model.ode === undefined) return undefined;
  return { rtol: Math.min(model.solver.rtol, 1e-4), atol: Math.min(model.solver.atol, 1e-6) };
}

export function fitPatient(model: CompiledModelWithRandom, record: PatientRecord, options: FitOptions = {}): PatientFit {
  const t0 = now();
  const design = buildDesign(model, record, options);
  if (design.observations.length === 0) {
    const why = design.unused.map((u) => `${u.record.where} (${u.record.type.name}): ${u.reason}`).join('; ');
    throw new FitError(`${record.source}: no observation can inform the fit${why !== '' ? ` (${why})` : ' (the record has none)'}; the prediction would be the population's`);
  }
  const solver = fitSolver(model, options.solver);
  const objective = new PatientObjective(model, design, { ...(solver !== undefined ? { solver } : {}), ...(options.reuseStates !== undefined ? { reuseStates: options.reuseStates } : {}) });
  const n = objective.n;
  const hasOde = model.ode !== undefined;
  const f = (u: Float64Array): number => objective.evaluate(u);

  // MAP: BFGS from the prior mean (and optional extra starts); the best mode wins.
  const starts: Float64Array[] = [new Float64Array(n)];
  const rng = new SubjectRandom(options.seed ?? 1, 0, 7);
  for (let k = 0; k < (options.extraStarts ?? 0); k++) starts.push(Float64Array.from({ length: n }, () => 1.5 * rng.normal()));
  let best: MinimizeResult | undefined;
  const gtol = options.gtol ?? (hasOde ? 1e-3 : 1e-6);
  const step = options.gradientStep ?? (hasOde ? 1e-3 : 1e-4);
  const differences = options.differences ?? 'auto';
  const lmDifferences = differences === 'auto' ? (hasOde ? { forward: objective.needsSimulation } : {}) : { differences };
  for (const u0 of starts) {
    if (!Number.isFinite(f(u0))) continue;
    let r: MinimizeResult;
    if ((options.optimizer ?? 'lm') === 'lm') {
      r = minimizeLevenbergMarquardt(objective, u0, { gtol, step, ...lmDifferences });
      if (!r.converged) {
        const more = minimizeBfgs(f, r.x, { gtol, step, initialInverseHessian: 0.5 });
        r = { ...more, iterations: r.iterations + more.iterations, message: `Levenberg–Marquardt stopped (${r.message}); BFGS: ${more.message}` };
      }
    } else {
      r = minimizeBfgs(f, u0, { gtol, step, initialInverseHessian: 0.5 });
    }
    if (best === undefined || r.f < best.f) best = r;
  }
  if (best === undefined) {
    throw new FitError(`${record.source}: the objective is not finite at the prior mean${objective.lastError !== undefined ? ` (${objective.lastError})` : ''}: an observation is impossible under model ${model.name}`);
  }
  const tMap = now();
  const uHat = best.x;
  const etaHat = objective.etaOf(uHat);
  const warnings = [...design.warnings];
  if (!best.converged) warnings.push(`the optimiser did not converge: ${best.message}`);

  // Laplace: covariance of u = 2·H⁻¹ (the objective is −2·log posterior).
  const H = hessian(f, uHat, best.f, options.hessianStep ?? (hasOde ? 5e-3 : 1e-3));
  const cholH = choleskyPd(H, n);
  let covU: Float64Array;
  if (cholH === undefined) {
    warnings.push('the Hessian of the objective is not positive definite at the mode: intervals fall back to the prior (uninformative)');
    covU = new Float64Array(n * n);
    for (let i = 0; i < n; i++) covU[i * n + i] = 1;
  } else {
    covU = inverseFromCholesky(cholH, n).map((v) => 2 * v);
  }
  const cholU = choleskyPd(covU, n) ?? Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));

  // Posterior draws of u: normal (Laplace) or resampled from an inflated normal by importance weights (SIR).
  const nDraws = options.draws ?? 1000;
  const method = options.uncertainty ?? 'laplace';
  const drawRng = new SubjectRandom(options.seed ?? 1, 0, 8);
  const drawU = new Float64Array(nDraws * n);
  let ess: number | undefined;
  const z = new Float64Array(n);
  const fillDraw = (out: Float64Array, offset: number, scale: number): number => {
    let zz = 0;
    for (let i = 0; i < n; i++) {
      z[i] = drawRng.normal();
      zz += (z[i] as number) ** 2;
    }
    for (let r = 0; r < n; r++) {
      let s = uHat[r] as number;
      for (let c = 0; c <= r; c++) s += scale * (cholU[r * n + c] as number) * (z[c] as number);
      out[offset + r] = s;
    }
    return zz;
  };
  if (method === 'laplace') {
    for (let k = 0; k < nDraws; k++) fillDraw(drawU, k * n, 1);
  } else {
    const m = nDraws * (options.sirProposals ?? 4);
    const inflation = options.sirInflation ?? 1.5;
    const proposals = new Float64Array(m * n);
    const logW = new Float64Array(m);
    const u = new Float64Array(n);
    for (let k = 0; k < m; k++) {
      const zz = fillDraw(proposals, k * n, inflation);
      for (let i = 0; i < n; i++) u[i] = proposals[k * n + i] as number;
      // log w = log posterior − log proposal (constants cancel after normalising)
      logW[k] = -0.5 * f(u) + 0.5 * zz;
    }
    let maxLog = -Infinity;
    for (let k = 0; k < m; k++) if ((logW[k] as number) > maxLog) maxLog = logW[k] as number;
    const w = new Float64Array(m);
    let sum = 0;
    let sum2 = 0;
    for (let k = 0; k < m; k++) {
      const v = Number.isFinite(logW[k] as number) ? Math.exp((logW[k] as number) - maxLog) : 0;
      w[k] = v;
      sum += v;
      sum2 += v * v;
    }
    ess = (sum * sum) / sum2;
    // Systematic resampling (with replacement)
    const step = sum / nDraws;
    let target = drawRng.uniform() * step;
    let acc = 0;
    let k = 0;
    for (let d = 0; d < nDraws; d++) {
      while (k < m - 1 && acc + (w[k] as number) < target) {
        acc += w[k] as number;
        k++;
      }
      for (let i = 0; i < n; i++) drawU[d * n + i] = proposals[k * n + i] as number;
      target += step;
    }
    if (ess < Math.min(100, nDraws / 10)) warnings.push(`SIR: effective sample size ${ess.toFixed(0)} of ${m} proposals is small: the Laplace approximation is poor here; read the intervals with care`);
  }
  const draws = new Float64Array(nDraws * n);
  const eta = new Float64Array(n);
  for (let d = 0; d < nDraws; d++) {
    objective.etaOf(drawU.subarray(d * n, d * n + n), eta);
    draws.set(eta, d * n);
  }
  // Covariance of eta: L·covU·Lᵀ (Laplace) or the draws' (SIR)
  const covEta = new Float64Array(n * n);
  if (method === 'laplace') {
    const L = objective.chol;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let a = 0; a <= i; a++) for (let b = 0; b <= j; b++) s += (L[i * n + a] as number) * (covU[a * n + b] as number) * (L[j * n + b] as number);
        covEta[i * n + j] = s;
      }
    }
  } else {
    const mean = new Float64Array(n);
    for (let d = 0; d < nDraws; d++) for (let i = 0; i < n; i++) mean[i] = (mean[i] as number) + (draws[d * n + i] as number) / nDraws;
    for (let d = 0; d < nDraws; d++) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) covEta[i * n + j] = (covEta[i * n + j] as number) + ((draws[d * n + i] as number) - (mean[i] as number)) * ((draws[d * n + j] as number) - (mean[j] as number)) / (nDraws - 1);
      }
    }
  }
  const etas: EtaEstimate[] = objective.names.map((name, i) => {
    const priorSd = Math.sqrt(objective.omega[i * n + i] as number);
    const sd = Math.sqrt(covEta[i * n + i] as number);
    const est = etaHat[i] as number;
    const ci: [number, number] = method === 'laplace' ? [est - Z90 * sd, est + Z90 * sd] : quantiles(draws, n, i, [0.05, 0.95]) as [number, number];
    return { name, priorSd, estimate: est, posteriorSd: sd, ci90: ci, sdRatio: sd / priorSd };
  });

  const parameters = individualParameters(model, design, etaHat, draws, n);

  // Goodness of fit: IPRED at the MAP, PRED at etas 0.
  const ipredCols = objective.predict(etaHat).map((c) => Float64Array.from(c));
  const predCols = objective.predict(new Float64Array(n));
  const observations: FittedObservation[] = design.observations.map((o) => {
    const ip = (ipredCols[o.output] as Float64Array)[o.row] as number;
    const pr = (predCols[o.output] as Float64Array)[o.row] as number;
    return {
      index: o.record.index,
      where: o.record.where,
      timeH: o.record.timeH,
      type: o.record.type.name,
      unit: o.record.type.unit,
      observed: o.value,
      censoring: o.censoring,
      ipred: ip,
      pred: pr,
      iwres: iwres(o.residual, o.censoring, o.value, ip),
      ofv: termAt(o, ip),
    };
  });
  const obsOfv = observations.reduce((s, o) => s + o.ofv, 0);
  let prior = 0;
  for (let i = 0; i < n; i++) prior += (uHat[i] as number) ** 2;
  const tEnd = now();
  return {
    design,
    objective,
    mapEta: etaHat,
    draws,
    result: {
      model: model.name,
      patient: record.id,
      converged: best.converged,
      message: best.message,
      iterations: best.iterations,
      evaluations: objective.evaluations,
      objective: { total: best.f, observations: obsOfv, prior },
      etas,
      covariates: { initial: design.initialCovariates, changes: record.covariateChanges.map((c) => ({ timeH: c.timeH, values: c.covariates })) },
      parameters,
      covariance: [...covEta],
      uncertainty: { method, draws: nDraws, ...(ess !== undefined ? { effectiveSampleSize: ess } : {}), hessianPositiveDefinite: cholH !== undefined },
      observations,
      unused: design.unused.map((u: UnusedObservation) => ({ where: u.record.where, type: u.record.type.name, timeH: u.record.timeH, reason: u.reason })),
      warnings,
      timingsMs: { map: tMap - t0, uncertainty: tEnd - tMap, total: tEnd - t0 },
    },
  };
}

/**
 * Draws from the normal approximation of the posterior (MAP, result.covariance) arranged for cheap forecasts:
 * `groups` values of the random effects that reach the dynamics, each followed by `perGroup` draws of the
 * output-only ones from their conditional normal given those values. Rows (groups·perGroup, model order of the
 * random effects) within a group share one solution of the dynamics: simulateSharingDynamics
 * (core/simulate/outputs-from-states.ts) then solves `groups` ODEs instead of groups·perGroup. Every row is a draw
 * from the same normal (the rows of a group are dependent through the shared values: a forecast band from G groups
 * of P has the Monte Carlo precision of between G and G·P independent draws). `stratify`: the dynamic values are a
 * Latin hypercube over their whitened coordinates (one value per equally probable stratum and coordinate), which
 * removes most of the between-group part of the Monte Carlo error for one or two dynamic effects
 * (docs/forecasting.md, "Posterior draws").
 */
export function drawsSharingDynamics(fit: PatientFit, groups: number, perGroup: number, seed = 1, options: { readonly stratify?: boolean } = {}): Float64Array {
  const n = fit.objective.n;
  const names = fit.objective.names;
  const dynamicInputs = modelDependencies(fit.objective.model).dynamicInputs;
  // Order: dynamic effects first, so that the Cholesky factor of the reordered covariance gives the conditional.
  const order = [...names.keys()].sort((a, b) => Number(!dynamicInputs.has(names[a] as string)) - Number(!dynamicInputs.has(names[b] as string)) || a - b);
  const nd = order.filter((i) => dynamicInputs.has(names[i] as string)).length;
  const cov = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) cov[a * n + b] = fit.result.covariance[(order[a] as number) * n + (order[b] as number)] as number;
  const L = choleskyPd(cov, n);
  if (L === undefined) throw new FitError('the posterior covariance is not positive definite: no normal draws');
  const rng = new SubjectRandom(seed, 0, 10);
  const out = new Float64Array(groups * perGroup * n);
  const z = new Float64Array(n);
  // Stratified (Latin hypercube): each whitened dynamic coordinate takes one value in each of `groups` equally
  // probable strata, in a random order per coordinate; every group's values are still draws from the normal.
  const strata = options.stratify === true ? Array.from({ length: nd }, () => permutation(groups, rng)) : undefined;
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < nd; i++) z[i] = strata !== undefined ? normalQuantile((((strata[i] as Int32Array)[g] as number) + rng.uniform()) / groups) : rng.normal();
    for (let k = 0; k < perGroup; k++) {
      for (let i = nd; i < n; i++) z[i] = rng.normal();
      const row = (g * perGroup + k) * n;
      for (let a = 0; a < n; a++) {
        let v = fit.mapEta[order[a] as number] as number;
        for (let c = 0; c <= a; c++) v += (L[a * n + c] as number) * (z[c] as number);
        out[row + (order[a] as number)] = v;
      }
    }
  }
  return out;
}

/** A random permutation of 0…n−1 (Fisher–Yates). */
function permutation(count: number, rng: SubjectRandom): Int32Array {
  const p = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(rng.uniform() * (i + 1)));
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

function termAt(o: PatientDesign['observations'][number], f: number): number {
  return observationTerm(o.residual, o.censoring, o.value, f);
}

/** Quantiles of column i of row-major draws (n columns). */
export function quantiles(draws: Float64Array, n: number, i: number, ps: readonly number[]): number[] {
  const count = draws.length / n;
  const v = new Float64Array(count);
  for (let d = 0; d < count; d++) v[d] = draws[d * n + i] as number;
  v.sort();
  return ps.map((p) => {
    const x = p * (count - 1);
    const lo = Math.floor(x);
    const hi = Math.min(count - 1, lo + 1);
    return (v[lo] as number) + (x - lo) * ((v[hi] as number) - (v[lo] as number));
  });
}

/** The model's individual variables that depend on the etas: typical, MAP and 90% intervals over the draws. */
function individualParameters(model: CompiledModelWithRandom, design: PatientDesign, etaHat: Float64Array, draws: Float64Array, n: number): ParameterEstimate[] {
  const env = runEnvironment(model, { covariates: design.covariates });
  const etaOffset = model.env.etaOffset;
  const indOffset = model.env.individualOffset;
  const nInd = model.individualNames.length;
  const etaSlots = model.etaNames.map((name) => name);
  const slotOf = (name: string): number => etaOffset + etaSlots.indexOf(name);
  const names = model.randomEffects.names;
  const values = (eta: ArrayLike<number>): Float64Array => {
    for (let i = 0; i < n; i++) env[slotOf(names[i] as string)] = eta[i] as number;
    env[model.env.timeSlot] = 0;
    model.computeIndividual(env);
    return env.slice(indOffset, indOffset + nInd);
  };
  const typical = values(new Float64Array(n));
  const perturbed = new Float64Array(n).fill(0.1);
  const moved = values(perturbed);
  const depends: number[] = [];
  for (let k = 0; k < nInd; k++) if ((moved[k] as number) !== (typical[k] as number)) depends.push(k);
  const map = values(etaHat);
  const count = draws.length / n;
  const table = new Float64Array(count * depends.length);
  for (let d = 0; d < count; d++) {
    const v = values(draws.subarray(d * n, d * n + n));
    depends.forEach((k, j) => (table[d * depends.length + j] = v[k] as number));
  }
  return depends.map((k, j) => {
    const [lo, med, hi] = quantiles(table, depends.length, j, [0.05, 0.5, 0.95]) as [number, number, number];
    return { name: model.individualNames[k] as string, typical: typical[k] as number, estimate: map[k] as number, median: med, ci90: [lo, hi] as const };
  });
}
