/**
 * A linear mammillary compartment system with first-order absorption depots (any number: one per route, each
 * with its own rate) and an optional effect compartment, put in "modal" coordinates where its solution over any
 * interval is a short sum of exponential-chain terms (see divided-differences.ts).
 *
 * Amount space (the compartments the user sees), in this fixed order:
 *   [depot 1 … depot d]  [central, peripheral 1, peripheral 2 …]  [effect?]
 *   depot and central/peripheral entries are amounts; the effect entry is a concentration (amount/volume),
 *   dCe/dt = ke0·(A_central/V1 − Ce).
 *
 * The disposition block K (central + peripherals) satisfies detailed balance (k1p·V1 = kp1·Vp), so
 * K = S·M·S⁻¹ with S = diag(1, √(k1p/kp1)…) and M symmetric: M = Q·Λ·Qᵀ (Jacobi). With P = S·Q:
 *   modal coordinates  z = [depots, y = P⁻¹·A_disposition, effect]
 *   dz/dt = T·z + b, where T is lower triangular:
 *     T[d][d] = −ka_d,  T[y_k][d] = ka_d·P⁻¹[k][central],  T[y_k][y_k] = λ_k,
 *     T[e][y_k] = ke0·P[central][k]/V1,  T[e][e] = −ke0.
 * Because T is triangular with the structure depots → modes → effect, exp(T·h) is a sum over paths of
 * products of edge weights times exponential-chain responses, computed exactly (propagator.ts).
 *
 * A ModalSystem is built once per structure and re-configured in place for each parameter set
 * (setRates), without allocation: population simulations configure it once per subject.
 */

import { mammillaryEigen } from './mammillary-eigen.js';
import { float64 } from '../buffers.js';

export interface PeripheralRates {
  /** Rate constant central → peripheral (1/time), k1p = Q/V1. Must be > 0. */
  readonly kcp: number;
  /** Rate constant peripheral → central (1/time), kp1 = Q/Vp. Must be > 0. */
  readonly kpc: number;
}

export interface LinearRates {
  /** Central volume (volume unit); turns the central amount into the effect compartment's driving concentration. */
  readonly v1: number;
  /** Elimination rate constant from the central compartment (1/time), ≥ 0. */
  readonly k10: number;
  /** 0, 1 or 2 peripheral compartments. */
  readonly peripherals: readonly PeripheralRates[];
  /** First-order absorption rate constant (1/time) of a single depot (shorthand for kas = [ka]). */
  readonly ka?: number | undefined;
  /** Absorption rate constants (1/time), one per depot. */
  readonly kas?: readonly number[] | undefined;
  /** Effect-compartment equilibration rate constant (1/time) if the model has an effect compartment, else undefined. */
  readonly ke0?: number | undefined;
}

export interface LinearStructure {
  /** Number of first-order absorption depots (0 for IV-only models). */
  readonly nDepots: number;
  readonly nPeripherals: number;
  readonly hasEffect: boolean;
}

/** Layout of a rate buffer: [v1, k10, kcp1, kpc1, kcp2, kpc2, ke0] then one ka per depot. */
export const RATE_HEADER = 7;

/** The absorption rates of a LinearRates (ka alone, or kas). */
function depotRates(r: LinearRates): readonly number[] {
  if (r.ka !== undefined && r.kas !== undefined) throw new LinearRatesError('give ka (one depot) or kas (several), not both');
  return r.kas ?? (r.ka !== undefined ? [r.ka] : []);
}

/** Thrown for rates that make no physical sense; the caller adds subject and time. */
export class LinearRatesError extends Error {}

export class ModalSystem implements LinearStructure {
  readonly nDepots: number;
  readonly hasEffect: boolean;
  readonly nPeripherals: number;
  /** Number of disposition compartments (central + peripherals). */
  readonly nDisposition: number;
  /** Size of the state (amount space = modal space). */
  readonly size: number;
  /** Index of the central compartment in amount space. */
  readonly centralIndex: number;
  /** Diagonal of T: the rate of each modal coordinate (≤ 0). */
  readonly rates: Float64Array;
  /** T, row-major size×size, lower triangular. */
  readonly transition: Float64Array;
  /** P (disposition amounts from modes), row-major nDisposition². */
  readonly toAmounts: Float64Array;
  /** P⁻¹ (modes from disposition amounts), row-major nDisposition². */
  readonly toModes: Float64Array;
  /** Central volume of the current configuration. */
  v1 = NaN;
  /** Incremented at every setRates: lets dependants (the propagator) know their caches are stale. */
  version = 0;

  private readonly sym: Float64Array;
  private readonly eigenvalues: Float64Array;
  private readonly eigenvectors: Float64Array;
  private readonly scale: Float64Array;

  constructor(structure: LinearStructure, rates?: LinearRates) {
    if (structure.nPeripherals < 0 || structure.nPeripherals > 2) {
      throw new LinearRatesError(`0 to 2 peripheral compartments, got ${structure.nPeripherals}`);
    }
    if (!(structure.nDepots >= 0) || !Number.isInteger(structure.nDepots)) throw new LinearRatesError(`number of depots must be a whole number ≥ 0, got ${structure.nDepots}`);
    this.nDepots = structure.nDepots;
    this.hasEffect = structure.hasEffect;
    this.nPeripherals = structure.nPeripherals;
    const m = 1 + structure.nPeripherals;
    this.nDisposition = m;
    this.size = this.nDepots + m + (this.hasEffect ? 1 : 0);
    this.centralIndex = this.nDepots;
    this.rates = float64(this.size);
    this.transition = float64(this.size * this.size);
    this.toAmounts = float64(m * m);
    this.toModes = float64(m * m);
    this.sym = float64(m * m);
    this.eigenvalues = float64(m);
    this.eigenvectors = float64(m * m);
    this.scale = float64(m);
    if (rates !== undefined) this.setRates(rates);
  }

  /** A system shaped and configured from a LinearRates object (convenience for tests and one-off use). */
  static of(rates: LinearRates): ModalSystem {
    return new ModalSystem(
      { nDepots: depotRates(rates).length, nPeripherals: rates.peripherals.length, hasEffect: rates.ke0 !== undefined },
      rates,
    );
  }

  /** Configure for a parameter set. Throws LinearRatesError for invalid rates. */
  setRates(r: LinearRates): void {
    if (r.peripherals.length !== this.nPeripherals) {
      throw new LinearRatesError(`expected ${this.nPeripherals} peripheral compartments, got ${r.peripherals.length}`);
    }
    const kas = depotRates(r);
    if (kas.length !== this.nDepots) throw new LinearRatesError(`expected ${this.nDepots} absorption rate(s), got ${kas.length}`);
    if ((r.ke0 !== undefined) !== this.hasEffect) throw new LinearRatesError(this.hasEffect ? 'ke0 is required (the model has an effect compartment)' : 'ke0 given but the model has no effect compartment');
    const p1 = r.peripherals[0];
    const p2 = r.peripherals[1];
    const buffer = float64(RATE_HEADER + kas.length);
    buffer.set([r.v1, r.k10, p1?.kcp ?? 0, p1?.kpc ?? 0, p2?.kcp ?? 0, p2?.kpc ?? 0, r.ke0 ?? 0, ...kas]);
    this.configureFrom(buffer);
  }

  /**
   * Configure from a buffer [v1, k10, kcp1, kpc1, kcp2, kpc2, ke0, ka_1 … ka_d] (the compiled model's rate layout;
   * unused entries are ignored according to the structure): the per-subject path, allocation-free.
   */
  configureFrom(r: Float64Array): void {
    const v1 = r[0] as number;
    const k10 = r[1] as number;
    const kcp1 = r[2] as number;
    const kpc1 = r[3] as number;
    const kcp2 = r[4] as number;
    const kpc2 = r[5] as number;
    const ke0 = r[6] as number;
    checkRate('V1', v1, true);
    checkRate('k10', k10, false);
    if (this.nPeripherals >= 1) {
      checkRate('peripheral 1 kcp (k12)', kcp1, true);
      checkRate('peripheral 1 kpc (k21)', kpc1, true);
    }
    if (this.nPeripherals >= 2) {
      checkRate('peripheral 2 kcp (k13)', kcp2, true);
      checkRate('peripheral 2 kpc (k31)', kpc2, true);
    }
    for (let d = 0; d < this.nDepots; d++) checkRate(this.nDepots === 1 ? 'ka' : `ka of depot ${d + 1}`, r[RATE_HEADER + d] as number, false);
    if (this.hasEffect) checkRate('ke0', ke0, false);
    this.v1 = v1;
    this.version++;

    const m = this.nDisposition;
    const sym = this.sym;
    const scale = this.scale;
    sym.fill(0);
    scale[0] = 1;
    let centralOut = k10;
    for (let i = 0; i < this.nPeripherals; i++) {
      const kcp = i === 0 ? kcp1 : kcp2;
      const kpc = i === 0 ? kpc1 : kpc2;
      const j = i + 1;
      centralOut += kcp;
      const coupling = Math.sqrt(kcp * kpc);
      sym[j] = coupling;
      sym[j * m] = coupling;
      sym[j * m + j] = -kpc;
      scale[j] = Math.sqrt(kcp / kpc);
    }
    sym[0] = -centralOut;
    mammillaryEigen(m, k10, kcp1, kpc1, kcp2, kpc2, sym, this.eigenvalues, this.eigenvectors);

    for (let r = 0; r < m; r++) {
      for (let k = 0; k < m; k++) {
        const q = this.eigenvectors[r * m + k] as number;
        this.toAmounts[r * m + k] = (scale[r] as number) * q; // P = S·Q
        this.toModes[k * m + r] = q / (scale[r] as number); // P⁻¹ = Qᵀ·S⁻¹
      }
    }

    const n = this.size;
    const t = this.transition;
    t.fill(0);
    const y0 = this.centralIndex;
    for (let d = 0; d < this.nDepots; d++) {
      const ka = r[RATE_HEADER + d] as number;
      this.rates[d] = -ka;
      t[d * n + d] = -ka;
    }
    for (let k = 0; k < m; k++) {
      const yk = y0 + k;
      // Eigenvalues of a compartmental matrix are ≤ 0; only rounding can make one a hair positive.
      const lambda = Math.min(this.eigenvalues[k] as number, 0);
      this.rates[yk] = lambda;
      t[yk * n + yk] = lambda;
      for (let d = 0; d < this.nDepots; d++) t[yk * n + d] = (r[RATE_HEADER + d] as number) * (this.toModes[k * m] as number);
    }
    if (this.hasEffect) {
      const e = n - 1;
      this.rates[e] = -ke0;
      t[e * n + e] = -ke0;
      for (let k = 0; k < m; k++) t[e * n + y0 + k] = (ke0 * (this.toAmounts[k] as number)) / v1;
    }
  }

  /** Modal coordinates from amounts (same length `size`). */
  modesFromAmounts(amounts: ArrayLike<number>, modes: Float64Array): void {
    const m = this.nDisposition;
    const c = this.centralIndex;
    for (let d = 0; d < c; d++) modes[d] = amounts[d] as number;
    for (let k = 0; k < m; k++) {
      let s = 0;
      for (let r = 0; r < m; r++) s += (this.toModes[k * m + r] as number) * (amounts[c + r] as number);
      modes[c + k] = s;
    }
    if (this.hasEffect) modes[this.size - 1] = amounts[this.size - 1] as number;
  }

  /** Amounts from modal coordinates. */
  amountsFromModes(modes: ArrayLike<number>, amounts: Float64Array): void {
    const m = this.nDisposition;
    const c = this.centralIndex;
    for (let d = 0; d < c; d++) amounts[d] = modes[d] as number;
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += (this.toAmounts[r * m + k] as number) * (modes[c + k] as number);
      amounts[c + r] = s;
    }
    if (this.hasEffect) amounts[this.size - 1] = modes[this.size - 1] as number;
  }

  /** Adds `amount` to amount-space state `index`, acting on modal coordinates. */
  addAmount(modes: Float64Array, index: number, amount: number): void {
    const c = this.centralIndex;
    const m = this.nDisposition;
    if (index < c || index >= c + m) {
      modes[index] = (modes[index] as number) + amount;
      return;
    }
    const r = index - c;
    for (let k = 0; k < m; k++) modes[c + k] = (modes[c + k] as number) + (this.toModes[k * m + r] as number) * amount;
  }
}

function checkRate(name: string, value: number, strictlyPositive: boolean): void {
  if (!Number.isFinite(value)) throw new LinearRatesError(`${name} is not a finite number (${value})`);
  if (strictlyPositive ? !(value > 0) : !(value >= 0)) {
    throw new LinearRatesError(`${name} must be ${strictlyPositive ? '> 0' : '≥ 0'}, got ${value}`);
  }
}

/** Micro-constants from the clearance parameterisation (CL, V1, Q_i, V_i). */
export function ratesFromClearances(p: {
  cl: number;
  v1: number;
  peripherals: ReadonlyArray<{ q: number; v: number }>;
  ka?: number | undefined;
  ke0?: number | undefined;
}): LinearRates {
  return {
    v1: p.v1,
    k10: p.cl / p.v1,
    peripherals: p.peripherals.map(({ q, v }) => ({ kcp: q / p.v1, kpc: q / v })),
    ka: p.ka,
    ke0: p.ke0,
  };
}
