/**
 * Exact propagation of a ModalSystem over an interval with constant inputs:
 *   z(h) = Φ(h)·z(0) + G(h)·b,   Φ(h) = exp(T·h),   G(h) = ∫₀ʰ exp(T·s) ds,
 * where b is the (modal) infusion input, constant over the interval.
 *
 * T is lower triangular, so Φ[i][j] is a sum over the paths j → … → i of the product of the edge weights
 * times the exponential-chain response of the rates along the path, and G[i][j] the same with a leading
 * rate 0 (the constant input). The chain responses are computed by exponentialChainResponse, which is
 * accurate for equal and nearly equal rates (ka = k, ke0 = λ, …).
 *
 * Φ and G are cached for the last few step lengths, so simulating on a uniform grid costs one small
 * matrix-vector product per output. For evaluating the state at arbitrary times inside one interval (the
 * right-hand side of an ODE driven by this closed form), `beginInterval` turns the solution into a sum of
 * exponentials e^{ρ_r s} with per-interval coefficients, when the rates are well separated.
 *
 * The propagator follows its ModalSystem: after system.setRates/configure it refreshes itself on next use.
 */

import { exponentialChainResponse } from './divided-differences.js';
import type { ModalSystem } from './system.js';

interface Path {
  readonly from: number;
  readonly to: number;
  /** State indices along the path, from `from` to `to`. */
  readonly states: Int32Array;
  weight: number;
  /** Partial-fraction coefficients of the path's rates: Φ form, then G form (leading rate 0). */
  readonly phiFractions: Float64Array;
  readonly gFractions: Float64Array;
}

const CACHE_SLOTS = 4;
/** Relative separation of rates above which the exponential-sum form is used (its error grows as 1/gap). */
const SEPARATION = 0.05;

export class LinearPropagator {
  readonly size: number;
  private readonly paths: readonly Path[];
  private readonly cacheStep = new Float64Array(CACHE_SLOTS).fill(NaN);
  private readonly cachePhi: Float64Array[] = [];
  private readonly cacheG: Float64Array[] = [];
  private cacheNext = 0;
  private readonly scratch: Float64Array;
  private readonly chainRates = new Float64Array(6);
  private readonly fractionRates = new Float64Array(6);
  private configuredVersion = -1;
  /** True when all rates on common paths (and 0) are separated: the exponential-sum form is safe. */
  private separated = false;
  /** Smallest gap between rates on a common path; the exponential-sum form is used only when s·gap ≥ 0.5. */
  private minGap = 0;
  /** Per-interval coefficients: coef[i*(size+1) + r] multiplies e^{ρ_r s} (r = size: the constant term). */
  private readonly coef: Float64Array;
  private readonly expScratch: Float64Array;
  private readonly intervalZ0: Float64Array;
  private readonly intervalB: Float64Array;
  private readonly spotPhi: Float64Array;
  private readonly spotG: Float64Array;

  constructor(readonly system: ModalSystem) {
    const n = system.size;
    this.size = n;
    this.scratch = new Float64Array(n);
    this.coef = new Float64Array(n * (n + 1));
    this.expScratch = new Float64Array(n + 1);
    this.intervalZ0 = new Float64Array(n);
    this.intervalB = new Float64Array(n);
    this.spotPhi = new Float64Array(n * n);
    this.spotG = new Float64Array(n * n);
    for (let s = 0; s < CACHE_SLOTS; s++) {
      this.cachePhi.push(new Float64Array(n * n));
      this.cacheG.push(new Float64Array(n * n));
    }
    this.paths = structuralPaths(system);
  }

  /** Refresh path weights and fractions after the system was re-configured. */
  private refresh(): void {
    if (this.configuredVersion === this.system.version) return;
    this.configuredVersion = this.system.version;
    this.cacheStep.fill(NaN);
    const n = this.size;
    const t = this.system.transition;
    const rates = this.system.rates;
    let separated = true;
    let minGap = Infinity;
    const fr = this.fractionRates;
    for (const p of this.paths) {
      let w = 1;
      for (let l = 1; l < p.states.length; l++) w *= t[(p.states[l] as number) * n + (p.states[l - 1] as number)] as number;
      p.weight = w;
      const len = p.states.length;
      fr[0] = 0;
      for (let l = 0; l < len; l++) fr[l + 1] = rates[p.states[l] as number] as number;
      for (let a = 0; a <= len; a++) {
        for (let c = a + 1; c <= len; c++) {
          const ra = fr[a] as number;
          const rc = fr[c] as number;
          const gap = Math.abs(ra - rc);
          if (gap === 0 || gap < SEPARATION * Math.max(Math.abs(ra), Math.abs(rc))) separated = false;
          if (gap < minGap) minGap = gap;
        }
      }
    }
    this.separated = separated;
    this.minGap = minGap;
    if (!separated) return;
    for (const p of this.paths) {
      const len = p.states.length;
      fr[0] = 0;
      for (let l = 0; l < len; l++) fr[l + 1] = rates[p.states[l] as number] as number;
      partialFractions(fr, 1, len, p.phiFractions);
      partialFractions(fr, 0, len + 1, p.gFractions);
    }
  }

  /** Φ(h) and G(h), row-major size×size. Returned arrays belong to the cache: do not modify. */
  transition(h: number): { phi: Float64Array; g: Float64Array } {
    this.refresh();
    for (let s = 0; s < CACHE_SLOTS; s++) {
      if (this.cacheStep[s] === h) return { phi: this.cachePhi[s] as Float64Array, g: this.cacheG[s] as Float64Array };
    }
    const slot = this.cacheNext;
    this.cacheNext = (slot + 1) % CACHE_SLOTS;
    const phi = this.cachePhi[slot] as Float64Array;
    const g = this.cacheG[slot] as Float64Array;
    this.computeTransition(h, phi, g);
    this.cacheStep[slot] = h;
    return { phi, g };
  }

  private computeTransition(h: number, phi: Float64Array, g: Float64Array): void {
    const n = this.size;
    const rates = this.system.rates;
    const chain = this.chainRates;
    phi.fill(0);
    g.fill(0);
    for (const p of this.paths) {
      if (p.weight === 0) continue;
      const len = p.states.length;
      chain[0] = 0;
      for (let l = 0; l < len; l++) chain[l + 1] = rates[p.states[l] as number] as number;
      const idx = p.to * n + p.from;
      g[idx] = (g[idx] as number) + p.weight * exponentialChainResponse(chain, len + 1, h);
      for (let l = 0; l < len; l++) chain[l] = chain[l + 1] as number;
      phi[idx] = (phi[idx] as number) + p.weight * exponentialChainResponse(chain, len, h);
    }
  }

  /** z ← Φ(h)·z + G(h)·b, in place. b may be undefined when no infusion is running. */
  advance(z: Float64Array, b: Float64Array | undefined, h: number): void {
    if (h === 0) return;
    const n = this.size;
    const { phi, g } = this.transition(h);
    const out = this.scratch;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = 0; j <= i; j++) s += (phi[row + j] as number) * (z[j] as number);
      if (b !== undefined) for (let j = 0; j <= i; j++) s += (g[row + j] as number) * (b[j] as number);
      out[i] = s;
    }
    z.set(out);
  }

  /**
   * Fix the start state z0 and input b of an interval, so that stateAt(s) gives z(s) for any s ≥ 0 in it.
   * Used by ODE right-hand sides that read the closed-form part (hybrid models).
   */
  beginInterval(z0: ArrayLike<number>, b: ArrayLike<number> | undefined): void {
    this.refresh();
    const n = this.size;
    for (let i = 0; i < n; i++) {
      this.intervalZ0[i] = z0[i] as number;
      this.intervalB[i] = b === undefined ? 0 : (b[i] as number);
    }
    if (!this.separated) return;
    const coef = this.coef;
    const w = n + 1;
    coef.fill(0);
    for (const p of this.paths) {
      const zj = this.intervalZ0[p.from] as number;
      const bj = this.intervalB[p.from] as number;
      const row = p.to * w;
      const len = p.states.length;
      if (zj !== 0) {
        const f = p.phiFractions;
        for (let l = 0; l < len; l++) {
          const slot = row + (p.states[l] as number);
          coef[slot] = (coef[slot] as number) + zj * p.weight * (f[l] as number);
        }
      }
      if (bj !== 0) {
        const f = p.gFractions;
        coef[row + n] = (coef[row + n] as number) + bj * p.weight * (f[0] as number);
        for (let l = 0; l < len; l++) {
          const slot = row + (p.states[l] as number);
          coef[slot] = (coef[slot] as number) + bj * p.weight * (f[l + 1] as number);
        }
      }
    }
  }

  /** z(s) for the interval set by beginInterval, written to out. Exact (exponential sum or chain responses). */
  stateAt(s: number, out: Float64Array): void {
    const n = this.size;
    if (!this.separated || s * this.minGap < 0.5) {
      this.computeTransition(s, this.spotPhi, this.spotG);
      const phi = this.spotPhi;
      const g = this.spotG;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j <= i; j++) v += (phi[i * n + j] as number) * (this.intervalZ0[j] as number) + (g[i * n + j] as number) * (this.intervalB[j] as number);
        out[i] = v;
      }
      return;
    }
    const rates = this.system.rates;
    const e = this.expScratch;
    for (let r = 0; r < n; r++) e[r] = Math.exp((rates[r] as number) * s);
    e[n] = 1;
    const coef = this.coef;
    const w = n + 1;
    for (let i = 0; i < n; i++) {
      let v = 0;
      const row = i * w;
      for (let r = 0; r <= n; r++) v += (coef[row + r] as number) * (e[r] as number);
      out[i] = v;
    }
  }
}

/** All paths of the structure depot → modes → effect (including the one-state paths on the diagonal). */
function structuralPaths(system: ModalSystem): Path[] {
  const n = system.size;
  const c = system.centralIndex;
  const m = system.nDisposition;
  const e = n - 1;
  const list: number[][] = [];
  for (let i = 0; i < n; i++) list.push([i]);
  if (system.hasDepot) for (let k = 0; k < m; k++) list.push([0, c + k]);
  if (system.hasEffect) for (let k = 0; k < m; k++) list.push([c + k, e]);
  if (system.hasDepot && system.hasEffect) for (let k = 0; k < m; k++) list.push([0, c + k, e]);
  return list.map((states) => ({
    from: states[0] as number,
    to: states[states.length - 1] as number,
    states: Int32Array.from(states),
    weight: 0,
    phiFractions: new Float64Array(states.length),
    gFractions: new Float64Array(states.length + 1),
  }));
}

/** out[l] = 1/Π_{l'≠l}(ρ_l − ρ_l') for the distinct rates ρ = rates[start .. start+count): E[ρ](s) = Σ_l out[l]·e^{ρ_l s}. */
function partialFractions(rates: Float64Array, start: number, count: number, out: Float64Array): void {
  for (let l = 0; l < count; l++) {
    const rl = rates[start + l] as number;
    let prod = 1;
    for (let k = 0; k < count; k++) if (k !== l) prod *= rl - (rates[start + k] as number);
    out[l] = 1 / prod;
  }
}

/**
 * Steady states in modal coordinates (Φ lower triangular: forward substitution with 1 − Φ_ii = −expm1(ρ_i·τ)
 * computed without cancellation). Throw when no steady state exists (a zero rate: no elimination).
 */
export class NoSteadyStateError extends Error {}

function solveOneMinusPhi(prop: LinearPropagator, tau: number, phi: Float64Array, rhs: Float64Array, out: Float64Array): void {
  const n = prop.size;
  const rates = prop.system.rates;
  for (let i = 0; i < n; i++) {
    let s = rhs[i] as number;
    for (let j = 0; j < i; j++) s += (phi[i * n + j] as number) * (out[j] as number);
    const diag = -Math.expm1((rates[i] as number) * tau);
    if (!(diag > 0)) {
      if (s === 0) {
        out[i] = 0;
        continue;
      }
      throw new NoSteadyStateError('no steady state: the system has a compartment without elimination');
    }
    out[i] = s / diag;
  }
}

/** Pre-dose steady state for a bolus `dose` (modal) every `tau`. */
export function steadyStateBolus(prop: LinearPropagator, dose: Float64Array, tau: number, out: Float64Array): void {
  const n = prop.size;
  const { phi } = prop.transition(tau);
  const rhs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j <= i; j++) s += (phi[i * n + j] as number) * (dose[j] as number);
    rhs[i] = s;
  }
  solveOneMinusPhi(prop, tau, phi, rhs, out);
}

/**
 * State at the start of an infusion (rate vector `b`, modal, duration `duration`) at steady state with
 * interval `tau`, just before that infusion starts. Infusions longer than tau overlap: with
 * m = ⌊duration/tau⌋ and d = duration − m·tau, m+1 infusions run during [0, d) of each interval and m during [d, tau).
 */
export function steadyStateInfusion(prop: LinearPropagator, b: Float64Array, duration: number, tau: number, out: Float64Array): void {
  const n = prop.size;
  const m = Math.floor(duration / tau);
  const d = duration - m * tau;
  const rhs = new Float64Array(n);
  const scaled = new Float64Array(n);
  for (let i = 0; i < n; i++) scaled[i] = (b[i] as number) * (m + 1);
  if (d > 0) prop.advance(rhs, scaled, d);
  for (let i = 0; i < n; i++) scaled[i] = (b[i] as number) * m;
  if (tau - d > 0) prop.advance(rhs, m > 0 ? scaled : undefined, tau - d);
  const { phi } = prop.transition(tau);
  solveOneMinusPhi(prop, tau, phi, rhs, out);
}

/** Steady state of a constant infusion b (modal): solves T·x = −b. */
export function steadyStateConstantInfusion(prop: LinearPropagator, b: Float64Array, out: Float64Array): void {
  const n = prop.size;
  const t = prop.system.transition;
  for (let i = 0; i < n; i++) {
    let s = -(b[i] as number);
    for (let j = 0; j < i; j++) s -= (t[i * n + j] as number) * (out[j] as number);
    const diag = t[i * n + i] as number;
    if (diag === 0) {
      if (s === 0) {
        out[i] = 0;
        continue;
      }
      throw new NoSteadyStateError('no steady state for a constant infusion: the system has a compartment without elimination');
    }
    out[i] = s / diag;
  }
}
