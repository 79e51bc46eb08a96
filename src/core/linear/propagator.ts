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
import { float64, int32From } from '../buffers.js';

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

/**
 * Transitions kept per configuration: a subject's records usually need only a few step lengths (grid spacing,
 * dosing interval, gaps to visits), but rounding makes grid steps near a dose differ in their last bits, each a
 * step length of its own.
 */
const CACHE_SLOTS = 16;
/**
 * Relative separation of rates above which the exponential-sum form is used. Its coefficients grow as 1/gap and
 * cancel, so its error is about eps/gap of the state's scale: 2e-12 at this threshold, below any ODE tolerance in
 * use. Closer rates (rare: e.g. ke0 equal to a disposition rate) take the exact chain-response path.
 */
const SEPARATION = 1e-4;

export class LinearPropagator {
  readonly size: number;
  private readonly paths: readonly Path[];
  private readonly cacheStep = float64(CACHE_SLOTS).fill(NaN);
  private readonly cachePhi: Float64Array[] = [];
  private readonly cacheG: Float64Array[] = [];
  private cacheNext = 0;
  private readonly scratch: Float64Array;
  private readonly chainRates = float64(6);
  private readonly fractionRates = float64(6);
  private configuredVersion = -1;
  private fractionsVersion = -1;
  // Read by generated ODE kernels (simulate/ode-rhs-kernel.ts), which inline stateAt; treat as read-only.
  /** True when all rates on common paths (and 0) are separated: the exponential-sum form is safe. */
  separated = false;
  /** Per-interval coefficients: coef[i*(size+1) + r] multiplies e^{ρ_r s} (r = size: the constant term). */
  readonly coef: Float64Array;
  private readonly expScratch: Float64Array;
  readonly intervalZ0: Float64Array;
  private readonly intervalB: Float64Array;
  private readonly spotPhi: Float64Array;
  private readonly allRows: Int32Array;
  /** Per rate: the interval offset after which its terms are below 1e-18 of every row's scale (set per interval). */
  readonly negligibleAfter: Float64Array;
  /** splitConstant[i*(size+1) + j]: K_ij of stateAt's split form, j = number of slow rates (see computeSplitConstants). */
  readonly splitConstant: Float64Array;
  private readonly rateOrder: Int32Array;
  private readonly spotG: Float64Array;

  /** True when T is diagonal (no depot, no effect compartment): Φ and G are diagonal. */
  private readonly diagonal: boolean;
  /**
   * Per depot: 1 once it may hold drug or receive input (see activate). Paths from inactive depots are left out of
   * Φ and G: their columns stay 0, which is exact while those depots are empty (a model with depots for every
   * route given an IV regimen skips most of the work). Entries of active columns do not depend on the others, so
   * results are the same, bit for bit, whatever else is active.
   */
  private readonly depotActive: Uint8Array;

  constructor(readonly system: ModalSystem) {
    const n = system.size;
    this.size = n;
    this.diagonal = system.nDepots === 0 && !system.hasEffect;
    this.scratch = float64(n);
    this.coef = float64(n * (n + 1));
    this.expScratch = float64(n + 1);
    this.intervalZ0 = float64(n);
    this.intervalB = float64(n);
    this.spotPhi = float64(n * n);
    this.allRows = int32From(Array.from({ length: n }, (_, i) => i));
    this.negligibleAfter = float64(n);
    this.splitConstant = float64(n * (n + 1));
    this.rateOrder = int32From(Array.from({ length: n }, (_, i) => i));
    this.spotG = float64(n * n);
    for (let s = 0; s < CACHE_SLOTS; s++) {
      this.cachePhi.push(float64(n * n));
      this.cacheG.push(float64(n * n));
    }
    this.paths = structuralPaths(system);
    this.depotActive = new Uint8Array(system.nDepots).fill(1); // all active until a caller says a reset emptied them
  }

  /**
   * Linear state li (a depot) may now hold drug or receive input: include its paths from now on. Callers activate
   * a depot before putting an amount or an input rate into it; other states are always active.
   */
  activate(li: number): void {
    if (li < 0 || li >= this.depotActive.length || this.depotActive[li] === 1) return;
    this.depotActive[li] = 1;
    this.cacheStep.fill(NaN); // cached transitions lack its column
  }

  /** All depots are empty (a reset): their paths can be left out again. Cached transitions stay valid. */
  deactivateDepots(): void {
    this.depotActive.fill(0);
  }

  /** Refresh path weights after the system was re-configured (and forget cached transitions). */
  private refresh(): void {
    if (this.configuredVersion === this.system.version) return;
    this.configuredVersion = this.system.version;
    this.cacheStep.fill(NaN);
    const n = this.size;
    const t = this.system.transition;
    for (const p of this.paths) {
      let w = 1;
      for (let l = 1; l < p.states.length; l++) w *= t[(p.states[l] as number) * n + (p.states[l - 1] as number)] as number;
      p.weight = w;
    }
  }

  /**
   * Decide whether the exponential-sum form is safe for this configuration and compute its partial fractions.
   * Only needed for stateAt (hybrid models), so done lazily.
   */
  private refreshFractions(): void {
    this.refresh();
    if (this.fractionsVersion === this.system.version) return;
    this.fractionsVersion = this.system.version;
    const rates = this.system.rates;
    let separated = true;
    const fr = this.fractionRates;
    for (const p of this.paths) {
      const len = p.states.length;
      fr[0] = 0;
      for (let l = 0; l < len; l++) fr[l + 1] = rates[p.states[l] as number] as number;
      for (let a = 0; a <= len; a++) {
        for (let c = a + 1; c <= len; c++) {
          const ra = fr[a] as number;
          const rc = fr[c] as number;
          const gap = Math.abs(ra - rc);
          if (gap === 0 || gap < SEPARATION * Math.max(Math.abs(ra), Math.abs(rc))) separated = false;
        }
      }
    }
    this.separated = separated;
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
    const slot = this.cacheSlot(h);
    return { phi: this.cachePhi[slot] as Float64Array, g: this.cacheG[slot] as Float64Array };
  }

  /** Φ of a cache slot (see cacheSlot). */
  phiAt(slot: number): Float64Array {
    return this.cachePhi[slot] as Float64Array;
  }

  /** G of a cache slot (see cacheSlot). */
  gAt(slot: number): Float64Array {
    return this.cacheG[slot] as Float64Array;
  }

  /** Index of the cache slot holding Φ(h), G(h), computing them if needed (no allocation: hot path). */
  cacheSlot(h: number): number {
    if (this.configuredVersion !== this.system.version) this.refresh();
    const steps = this.cacheStep;
    for (let s = 0; s < CACHE_SLOTS; s++) if (steps[s] === h) return s;
    const slot = this.cacheNext;
    this.cacheNext = (slot + 1) % CACHE_SLOTS;
    this.computeTransition(h, this.cachePhi[slot] as Float64Array, this.cacheG[slot] as Float64Array);
    steps[slot] = h;
    return slot;
  }

  private computeTransition(h: number, phi: Float64Array, g: Float64Array): void {
    const n = this.size;
    const rates = this.system.rates;
    if (h === 0) {
      // Φ(0) = I, G(0) = 0 (the chain responses would give them too, through their Taylor series)
      phi.fill(0);
      g.fill(0);
      for (let i = 0; i < n; i++) phi[i * n + i] = 1;
      return;
    }
    if (this.diagonal) {
      // Uncoupled modes (the common IV case): Φ_ii = e^{ρh}, G_ii = (e^{ρh} − 1)/ρ, written with expm1 (exact as
      // ρh → 0). Below ρh = −0.7, e^{ρh} < 1/2 and e^{ρh} − 1 loses nothing (relative error ≤ 2 ulp, as expm1's):
      // one exponential instead of two for the fast modes.
      for (let i = 0; i < n; i++) {
        const rho = rates[i] as number;
        const x = rho * h;
        const e = Math.exp(x);
        phi[i * n + i] = e;
        g[i * n + i] = x === 0 ? h : (x < -0.7 ? e - 1 : Math.expm1(x)) / rho;
      }
      return;
    }
    const chain = this.chainRates;
    phi.fill(0);
    g.fill(0);
    const depots = this.depotActive;
    for (const p of this.paths) {
      if (p.weight === 0 || (p.from < depots.length && depots[p.from] === 0)) continue;
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
    const slot = this.cacheSlot(h);
    const phi = this.cachePhi[slot] as Float64Array;
    const g = this.cacheG[slot] as Float64Array;
    if (this.diagonal) {
      // No depot, no effect compartment: the modes are uncoupled.
      if (b === undefined) for (let i = 0; i < n; i++) z[i] = (phi[i * n + i] as number) * (z[i] as number);
      else for (let i = 0; i < n; i++) z[i] = (phi[i * n + i] as number) * (z[i] as number) + (g[i * n + i] as number) * (b[i] as number);
      return;
    }
    const out = this.scratch;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = 0; j <= i; j++) s += (phi[row + j] as number) * (z[j] as number);
      if (b !== undefined) for (let j = 0; j <= i; j++) s += (g[row + j] as number) * (b[j] as number);
      out[i] = s;
    }
    for (let i = 0; i < n; i++) z[i] = out[i] as number;
  }

  /**
   * Fix the start state z0 and input b of an interval, so that stateAt(s) gives z(s) for any s ≥ 0 in it.
   * Used by ODE right-hand sides that read the closed-form part (hybrid models).
   */
  beginInterval(z0: ArrayLike<number>, b: ArrayLike<number> | undefined): void {
    this.refreshFractions();
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
    // Rate r's terms are negligible once max_i |coef_ir|·e^{ρ_r s} < 1e-18·scale_i for every row i,
    // with scale_i = Σ_r |coef_ir| (a bound on the row's value over the interval).
    const rates = this.system.rates;
    for (let r = 0; r < n; r++) {
      let after = 0;
      for (let i = 0; i < n; i++) {
        const c = Math.abs(coef[i * w + r] as number);
        if (c === 0) continue;
        let scale = 0;
        for (let q = 0; q <= n; q++) scale += Math.abs(coef[i * w + q] as number);
        const rho = rates[r] as number;
        const t = rho < 0 ? Math.log((1e-18 * scale) / c) / rho : Infinity;
        if (t > after) after = t;
      }
      this.negligibleAfter[r] = after;
    }
    this.computeSplitConstants();
  }

  /**
   * For stateAt's split form: with S the rates with |ρ|·s < 1 (the j slowest) and F the others,
   *   z_i(s) = K_ij + Σ_{r∈S} c_ir·expm1(ρ_r s) + Σ_{r∈F} c_ir·e^{ρ_r s},   K_ij = c_i,const + Σ_{r∈S} c_ir = z0_i − Σ_{r∈F} c_ir.
   * Both expressions of K_ij are exact in arithmetic; each is computed the way that cancels least (the smaller sum
   * of magnitudes), so a tiny rate with a huge coefficient (|c| ~ 1/ρ) never has to cancel against the constant.
   */
  private computeSplitConstants(): void {
    const n = this.size;
    const w = n + 1;
    const rates = this.system.rates;
    const order = this.rateOrder;
    for (let r = 0; r < n; r++) order[r] = r;
    order.sort((a, b) => Math.abs(rates[a] as number) - Math.abs(rates[b] as number));
    const coef = this.coef;
    const k = this.splitConstant;
    for (let i = 0; i < n; i++) {
      const row = i * w;
      for (let j = 0; j <= n; j++) {
        let fromConst = coef[row + n] as number;
        let errConst = Math.abs(fromConst);
        for (let q = 0; q < j; q++) {
          const c = coef[row + (order[q] as number)] as number;
          fromConst += c;
          errConst += Math.abs(c);
        }
        let fromStart = this.intervalZ0[i] as number;
        let errStart = Math.abs(fromStart);
        for (let q = j; q < n; q++) {
          const c = coef[row + (order[q] as number)] as number;
          fromStart -= c;
          errStart += Math.abs(c);
        }
        k[i * w + j] = errStart <= errConst ? fromStart : fromConst;
      }
    }
  }

  /**
   * Rows of z(s) for the interval set by beginInterval (for ODE right-hand sides: fast, accurate to ~1e-14 of the
   * state's scale), written to out[row]; rows not listed are left as they are. With separated rates, the split
   * exponential-sum form: z_i = K_ij + Σ_slow c_ir·expm1(ρ_r s) + Σ_fast c_ir·e^{ρ_r s}, where a rate is slow while
   * |ρ·s| < 1 and j counts the slow ones (computeSplitConstants); expm1 keeps slow terms exact near s = 0 and the
   * exponential keeps decayed terms exact, and terms decayed below 1e-18 of the row's scale are skipped.
   * Without separated rates, the chain responses (exact, slower). Outputs use `advance` (exact to rounding).
   */
  stateAt(s: number, out: Float64Array, rows: Int32Array = this.allRows): void {
    const n = this.size;
    if (!this.separated) {
      this.computeTransition(s, this.spotPhi, this.spotG);
      const phi = this.spotPhi;
      const g = this.spotG;
      for (let k = 0; k < rows.length; k++) {
        const i = rows[k] as number;
        let v = 0;
        for (let j = 0; j <= i; j++) v += (phi[i * n + j] as number) * (this.intervalZ0[j] as number) + (g[i * n + j] as number) * (this.intervalB[j] as number);
        out[i] = v;
      }
      return;
    }
    const rates = this.system.rates;
    const e = this.expScratch;
    const coef = this.coef;
    const horizon = this.negligibleAfter;
    const w = n + 1;
    let slow = 0;
    for (let r = 0; r < n; r++) {
      const x = (rates[r] as number) * s;
      if (x > -1) {
        e[r] = Math.expm1(x);
        slow++;
      } else {
        e[r] = s > (horizon[r] as number) ? 0 : Math.exp(x);
      }
    }
    const k = this.splitConstant;
    for (let q = 0; q < rows.length; q++) {
      const i = rows[q] as number;
      let v = k[i * w + slow] as number;
      const row = i * w;
      for (let r = 0; r < n; r++) v += (coef[row + r] as number) * (e[r] as number);
      out[i] = v;
    }
  }
}

/** All paths of the structure depots → modes → effect (including the one-state paths on the diagonal). */
function structuralPaths(system: ModalSystem): Path[] {
  const n = system.size;
  const c = system.centralIndex;
  const m = system.nDisposition;
  const e = n - 1;
  const list: number[][] = [];
  for (let i = 0; i < n; i++) list.push([i]);
  for (let d = 0; d < system.nDepots; d++) for (let k = 0; k < m; k++) list.push([d, c + k]);
  if (system.hasEffect) for (let k = 0; k < m; k++) list.push([c + k, e]);
  if (system.hasEffect) for (let d = 0; d < system.nDepots; d++) for (let k = 0; k < m; k++) list.push([d, c + k, e]);
  return list.map((states) => ({
    from: states[0] as number,
    to: states[states.length - 1] as number,
    states: int32From(states),
    weight: 0,
    phiFractions: float64(states.length),
    gFractions: float64(states.length + 1),
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
  const rhs = float64(n);
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
  const rhs = float64(n);
  const scaled = float64(n);
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
