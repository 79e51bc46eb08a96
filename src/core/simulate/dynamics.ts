/**
 * The state of one subject and how it evolves between events. Three implementations behind one interface:
 *  - ClosedFormDynamics: a linear compartment model solved exactly (modal coordinates, src/core/linear);
 *  - OdeDynamics: ODEs only, integrated by DOPRI5 or BDF (src/core/ode);
 *  - HybridDynamics: a closed-form linear part (PK) driving ODE states (PD), the ODE right-hand side reading
 *    the exact closed-form solution at any time.
 * The event logic (subject.ts) only calls this interface: it never knows which kind of model it runs.
 */

import { LinearPropagator, ModalSystem, steadyStateBolus, steadyStateConstantInfusion, steadyStateInfusion } from '../linear/index.js';
import type { CompiledModel } from '../model/compiled.js';
import { createIntegrator } from '../ode/index.js';
import { observationKernel, type KernelState, type KernelStructure, type ObservationKernel } from './observation-kernel.js';
import { makeOdeRhsKernel, type RhsContext } from './ode-rhs-kernel.js';
import type { OdeIntegrator } from '../ode/index.js';
import { float64, int32, int32From } from '../buffers.js';

/** One repeated administration, as steady-state computations need it. Amount after bioavailability. */
export interface DoseShape {
  /** 0-based model compartment. */
  readonly cmt: number;
  readonly amount: number;
  /** Infusion rate (amount/time); 0 for a bolus. */
  readonly rate: number;
  /** Infusion duration (time); 0 for a bolus. */
  readonly duration: number;
  /** Dosing interval II (time), > 0. */
  readonly interval: number;
}

/** What `observe` needs to write output rows; owned and updated by the subject simulator. */
export interface OutputPlan {
  /** Parameters of the current segment. */
  env: Float64Array;
  /** Next discontinuity after the records being observed (ODE solvers may step up to it). */
  nextStop: number;
  readonly model: CompiledModel;
  readonly includeStates: boolean;
}

/** Result columns (see OutputTable in subject.ts). */
export type OutputColumns = readonly Float64Array[];

export interface Dynamics {
  /** Time of the current state. */
  readonly time: number;
  /** Install new parameters (the environment of a new segment). The state is kept. */
  setEnvironment(env: Float64Array): void;
  /** State := initial conditions at time t (with the current parameters); no infusion running. */
  reset(t: number): void;
  /** Advance to t with the current input rates. nextStop ≥ t is the next discontinuity (ODE solvers may step up to it). */
  advance(t: number, nextStop: number): void;
  addBolus(cmt: number, amount: number): void;
  /** Set the total infusion rate into compartment cmt. */
  setInputRate(cmt: number, rate: number): void;
  /** Full state, model compartment order. */
  readState(x: Float64Array): void;
  writeState(x: Float64Array): void;
  /**
   * State := periodic steady state just before an administration of `shape` (infusions from earlier intervals
   * that overlap are part of that state), reached from the initial conditions. Input rates are left at 0.
   */
  steadyState(shape: DoseShape): void;
  /** State := steady state of a constant infusion `rate` into `cmt`. Input rates are left at 0. */
  steadyStateConstant(cmt: number, rate: number): void;
  /**
   * Advance through records from..to (observation times `times[i]`, no event in between) and write their output
   * rows (row = offset + i). Returns -1, or the first record whose outputs are not all finite.
   */
  observe(times: Float64Array, from: number, to: number, plan: OutputPlan, table: OutputColumns, offset: number): number;
}

export interface SteadyStateSettings {
  /** Convergence tolerances for iterated (ODE) steady states. */
  readonly rtol: number;
  readonly atol: number;
  /** Most dosing intervals simulated before giving up. */
  readonly maxIntervals: number;
}

export class SteadyStateNotReachedError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Closed form

class LinearPart {
  readonly system: ModalSystem;
  readonly propagator: LinearPropagator;
  /** Model compartment index of each linear state ([depot?, central, peripherals…, effect?]). */
  readonly stateIndex: Int32Array;
  /** Linear state index of each model compartment, or -1. */
  readonly linearIndexOf: Int32Array;
  readonly z: Float64Array;
  /** Modal input vector and amount-space input rates. */
  readonly b: Float64Array;
  readonly inputRates: Float64Array;
  hasInput = false;
  private readonly rateBuffer: Float64Array;
  private readonly lastRates: Float64Array;
  private readonly amounts: Float64Array;

  constructor(model: CompiledModel) {
    const cf = model.closedForm;
    if (cf === undefined) throw new Error('model has no closed-form part');
    this.system = new ModalSystem({ nDepots: cf.nDepots, nPeripherals: cf.nPeripherals, hasEffect: cf.hasEffect });
    this.rateBuffer = float64(cf.rateSlots);
    this.lastRates = float64(cf.rateSlots).fill(NaN);
    this.propagator = new LinearPropagator(this.system);
    this.stateIndex = int32From(cf.stateIndex);
    this.linearIndexOf = int32(model.compartments.length).fill(-1);
    cf.stateIndex.forEach((ci, li) => {
      this.linearIndexOf[ci] = li;
    });
    const n = this.system.size;
    this.z = float64(n);
    this.b = float64(n);
    this.inputRates = float64(n);
    this.amounts = float64(n);
    this.rates = cf.rates;
  }

  private readonly rates: (env: Float64Array, out: Float64Array) => void;

  setEnvironment(env: Float64Array): void {
    const r = this.rateBuffer;
    this.rates(env, r);
    let same = true;
    for (let i = 0; i < r.length; i++) if (r[i] !== this.lastRates[i]) same = false;
    if (same) return;
    const configured = !Number.isNaN(this.lastRates[0] as number);
    if (configured) this.system.amountsFromModes(this.z, this.amounts);
    this.system.configureFrom(r);
    this.lastRates.set(r);
    if (configured) this.system.modesFromAmounts(this.amounts, this.z);
    this.system.modesFromAmounts(this.inputRates, this.b);
  }

  zero(): void {
    this.z.fill(0);
    this.inputRates.fill(0);
    this.b.fill(0);
    this.hasInput = false;
    this.propagator.deactivateDepots();
  }

  addBolus(li: number, amount: number): void {
    if (amount !== 0) this.propagator.activate(li);
    this.system.addAmount(this.z, li, amount);
  }

  setInputRate(li: number, rate: number): void {
    if (rate !== 0) this.propagator.activate(li);
    this.inputRates[li] = rate;
    this.system.modesFromAmounts(this.inputRates, this.b);
    let any = false;
    for (let i = 0; i < this.inputRates.length; i++) if (this.inputRates[i] !== 0) any = true;
    this.hasInput = any;
  }

  /** Scatter linear amounts into the model-order state x. */
  read(x: Float64Array, z: Float64Array = this.z): void {
    this.system.amountsFromModes(z, this.amounts);
    for (let li = 0; li < this.stateIndex.length; li++) x[this.stateIndex[li] as number] = this.amounts[li] as number;
  }

  /**
   * The modal rows needed to compute the amounts of some linear states (all modes for a disposition compartment,
   * the state itself for depot and effect), and a reader that fills only those amounts into x.
   */
  rowsFor(linearStates: readonly number[]): Int32Array {
    const sys = this.system;
    const rows = new Set<number>();
    for (const li of linearStates) {
      if (li >= sys.centralIndex && li < sys.centralIndex + sys.nDisposition) for (let k = 0; k < sys.nDisposition; k++) rows.add(sys.centralIndex + k);
      else rows.add(li);
    }
    return int32From([...rows].sort((a, b) => a - b));
  }

  /** Amounts of the listed linear states from modal values z, scattered into the model-order state x. */
  readSome(x: Float64Array, z: Float64Array, linearStates: Int32Array): void {
    const sys = this.system;
    const c = sys.centralIndex;
    const m = sys.nDisposition;
    const p = sys.toAmounts;
    for (let k = 0; k < linearStates.length; k++) {
      const li = linearStates[k] as number;
      let v: number;
      if (li >= c && li < c + m) {
        v = 0;
        const r = li - c;
        for (let q = 0; q < m; q++) v += (p[r * m + q] as number) * (z[c + q] as number);
      } else {
        v = z[li] as number;
      }
      x[this.stateIndex[li] as number] = v;
    }
  }

  write(x: Float64Array): void {
    for (let li = 0; li < this.stateIndex.length; li++) {
      const a = x[this.stateIndex[li] as number] as number;
      this.amounts[li] = a;
      if (a !== 0) this.propagator.activate(li);
    }
    this.system.modesFromAmounts(this.amounts, this.z);
  }

  /** z := linear steady state for the shape (input into a linear compartment) or 0 when the dose goes elsewhere. */
  steadyState(shape: DoseShape): void {
    const li = this.linearIndexOf[shape.cmt] as number;
    this.z.fill(0);
    if (li < 0) return;
    this.propagator.activate(li);
    const unit = float64(this.system.size);
    unit[li] = 1;
    const modal = float64(this.system.size);
    this.system.modesFromAmounts(unit, modal);
    if (shape.rate === 0) {
      for (let i = 0; i < modal.length; i++) modal[i] = (modal[i] as number) * shape.amount;
      steadyStateBolus(this.propagator, modal, shape.interval, this.z);
    } else {
      for (let i = 0; i < modal.length; i++) modal[i] = (modal[i] as number) * shape.rate;
      steadyStateInfusion(this.propagator, modal, shape.duration, shape.interval, this.z);
    }
  }

  steadyStateConstant(cmt: number, rate: number): void {
    const li = this.linearIndexOf[cmt] as number;
    this.z.fill(0);
    if (li < 0) return;
    this.propagator.activate(li);
    const input = float64(this.system.size);
    input[li] = rate;
    const modal = float64(this.system.size);
    this.system.modesFromAmounts(input, modal);
    steadyStateConstantInfusion(this.propagator, modal, this.z);
  }
}

/** The observation kernels of one model (with and without state columns and input), generated when first needed. */
class ObservationKernels {
  private readonly kernels: Array<ObservationKernel | undefined> = [undefined, undefined, undefined, undefined];

  constructor(
    private readonly model: CompiledModel,
    private readonly structure: KernelStructure,
  ) {}

  get(includeStates: boolean, withInput: boolean): ObservationKernel {
    const k = (includeStates ? 1 : 0) + (withInput ? 2 : 0);
    return (this.kernels[k] ??= observationKernel(this.model, this.structure, { includeStates, withInput }));
  }
}

const NO_TRACK = float64(0);
const NO_MATRIX = float64(0);

/**
 * Write the output rows of records from..to with a kernel, advancing the linear part's modal state (ks.z, from
 * ks.time) exactly with the cached transition of each distinct step. Returns -1, or the first record whose outputs
 * are not all finite.
 */
function runObservationKernel(
  kernel: ObservationKernel,
  lin: LinearPart | undefined,
  ks: KernelState,
  times: Float64Array,
  from: number,
  to: number,
  plan: OutputPlan,
  table: OutputColumns,
  offset: number,
  track: Float64Array,
  trackFrom: number,
): number {
  let i = from;
  while (i <= to) {
    let next: number;
    if (lin === undefined) {
      next = kernel(times, i, to, 0, ks, NO_MATRIX, NO_MATRIX, NO_MATRIX, plan.env, table, offset, track, trackFrom);
    } else {
      // The kernel runs while records are `h` apart; a new step length needs its transition first.
      const prop = lin.propagator;
      const h = (times[i] as number) - ks.time;
      // h = 0: records at the current time; the kernel does not use the transition until the step changes.
      const slot = h > 0 ? prop.cacheSlot(h) : 0;
      next = kernel(times, i, to, h, ks, prop.phiAt(slot), prop.gAt(slot), lin.system.toAmounts, plan.env, table, offset, track, trackFrom);
    }
    if (next < 0) return -next - 1;
    i = next;
  }
  return -1;
}

export class ClosedFormDynamics implements Dynamics {
  time = 0;
  private readonly linear: LinearPart;
  private env: Float64Array;
  private readonly xInit: Float64Array;

  constructor(private readonly model: CompiledModel) {
    this.linear = new LinearPart(model);
    this.env = model.defaults;
    this.xInit = float64(model.compartments.length);
    this.kernelState = { time: 0, z: this.linear.z, b: this.linear.b };
    this.kernels = new ObservationKernels(model, { linear: this.linear, odeStateIndex: [] });
  }

  private readonly kernelState: KernelState;
  private readonly kernels: ObservationKernels;

  /** The hot loop of closed-form simulations: a generated kernel (observation-kernel.ts) per model structure. */
  observe(times: Float64Array, from: number, to: number, plan: OutputPlan, table: OutputColumns, offset: number): number {
    const ks = this.kernelState;
    ks.time = this.time;
    const bad = runObservationKernel(this.kernels.get(plan.includeStates, this.linear.hasInput), this.linear, ks, times, from, to, plan, table, offset, NO_TRACK, 0);
    this.time = ks.time;
    return bad;
  }

  setEnvironment(env: Float64Array): void {
    this.env = env;
    this.linear.setEnvironment(env);
  }

  reset(t: number): void {
    this.time = t;
    this.linear.zero();
    this.model.initial(this.env, this.xInit);
    this.linear.write(this.xInit);
  }

  advance(t: number): void {
    const h = t - this.time;
    if (h > 0) this.linear.propagator.advance(this.linear.z, this.linear.hasInput ? this.linear.b : undefined, h);
    this.time = t;
  }

  addBolus(cmt: number, amount: number): void {
    const li = this.linear.linearIndexOf[cmt] as number;
    this.linear.addBolus(li, amount);
  }

  setInputRate(cmt: number, rate: number): void {
    this.linear.setInputRate(this.linear.linearIndexOf[cmt] as number, rate);
  }

  readState(x: Float64Array): void {
    this.linear.read(x);
  }

  writeState(x: Float64Array): void {
    this.linear.write(x);
  }

  steadyState(shape: DoseShape): void {
    this.linear.zero();
    this.linear.steadyState(shape);
  }

  steadyStateConstant(cmt: number, rate: number): void {
    this.linear.zero();
    this.linear.steadyStateConstant(cmt, rate);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// ODE and hybrid

/**
 * ODE states with optional closed-form part (hybrid models). The linear part's modal state `z` is kept exact at
 * the current time by the cached propagator (as in ClosedFormDynamics), so outputs are exact; the ODE right-hand
 * side reads the linear solution at any time inside the current interval (since the last discontinuity) from the
 * exponential-sum form of the propagator, set up once per interval.
 */
export class OdeDynamics implements Dynamics {
  time = 0;
  /** Parameters and interval start, read by the generated right-hand side. */
  private readonly rhsContext: RhsContext;
  private readonly integrator: OdeIntegrator;
  private readonly linear: LinearPart | undefined;
  /** ODE state (derivative order) at `time`. */
  private readonly y: Float64Array;
  /** Full model-order state used inside the RHS. */
  private readonly x: Float64Array;
  private readonly linearScratch: Float64Array;
  private readonly odeIndex: readonly number[];
  /** Infusion rate into each ODE state. */
  private readonly odeRates: Float64Array;
  /** Position of each model compartment in the ODE vector, or -1. */
  private readonly odeIndexOf: Int32Array;
  /** True when the integrator must be restarted before the next advance (after any discontinuity). */
  private dirty = true;
  private readonly xTmp: Float64Array;
  /** ODE states at the records of the run being observed (record-major), grown as needed. */
  private track = float64(0);
  private readonly kernelState: KernelState;
  private readonly kernels: ObservationKernels;

  constructor(
    private readonly model: CompiledModel,
    private readonly steadyStateSettings: SteadyStateSettings,
  ) {
    const ode = model.ode;
    if (ode === undefined) throw new Error('model has no ODE part');
    this.rhsContext = { env: model.defaults, intervalStart: 0 };
    this.linear = model.closedForm !== undefined ? new LinearPart(model) : undefined;
    this.odeIndex = ode.stateIndex;
    const nOde = ode.stateIndex.length;
    this.y = float64(nOde);
    this.odeRates = float64(nOde);
    this.x = float64(model.compartments.length);
    this.xTmp = float64(model.compartments.length);
    this.odeIndexOf = int32(model.compartments.length).fill(-1);
    ode.stateIndex.forEach((ci, k) => {
      this.odeIndexOf[ci] = k;
    });
    this.linearScratch = float64(this.linear?.system.size ?? 0);
    this.kernelState = { time: 0, z: this.linear?.z ?? float64(0), b: this.linear?.b ?? float64(0) };
    this.kernels = new ObservationKernels(model, { linear: this.linear, odeStateIndex: ode.stateIndex });
    this.integrator = createIntegrator(
      model.solver.method,
      nOde,
      makeOdeRhsKernel(model, this.rhsContext, this.odeRates, this.linear, this.linearScratch),
      { rtol: model.solver.rtol, atol: model.solver.atol, maxSteps: model.solver.max_steps },
    );
  }

  /**
   * Two passes: the integrator fills a track of ODE states at the records' times (stepping to the next
   * discontinuity and interpolating, so outputs do not shorten steps), then the generated kernel advances the
   * linear part exactly and writes the output rows (observation-kernel.ts).
   */
  observe(times: Float64Array, from: number, to: number, plan: OutputPlan, table: OutputColumns, offset: number): number {
    const nOde = this.y.length;
    const need = (to - from + 1) * nOde;
    if (this.track.length < need) this.track = float64(Math.max(need, 2 * this.track.length));
    const track = this.track;
    const y = this.y;
    this.restartIfDirty();
    let reached = this.time;
    for (let i = from; i <= to; i++) {
      const t = times[i] as number;
      if (t > reached) {
        this.integrator.advanceTo(t, Math.max(t, plan.nextStop), y);
        reached = t;
      }
      const row = (i - from) * nOde;
      for (let k = 0; k < nOde; k++) track[row + k] = y[k] as number;
    }
    const ks = this.kernelState;
    ks.time = this.time;
    const bad = runObservationKernel(this.kernels.get(plan.includeStates, this.linear?.hasInput ?? false), this.linear, ks, times, from, to, plan, table, offset, track, from);
    this.time = reached;
    return bad;
  }

  /** After a discontinuity: the RHS reads the linear part from the new interval's start, the integrator restarts. */
  private restartIfDirty(): void {
    if (!this.dirty) return;
    const lin = this.linear;
    this.rhsContext.intervalStart = this.time;
    if (lin !== undefined) lin.propagator.beginInterval(lin.z, lin.hasInput ? lin.b : undefined);
    this.integrator.init(this.time, this.y);
    this.dirty = false;
  }

  setEnvironment(env: Float64Array): void {
    this.rhsContext.env = env;
    this.linear?.setEnvironment(env);
    this.dirty = true;
  }

  reset(t: number): void {
    this.time = t;
    this.linear?.zero();
    this.odeRates.fill(0);
    this.model.initial(this.rhsContext.env, this.xTmp);
    this.writeState(this.xTmp);
  }

  advance(t: number, nextStop: number): void {
    if (t === this.time && !this.dirty) return;
    const lin = this.linear;
    this.restartIfDirty();
    const h = t - this.time;
    if (h > 0) {
      this.integrator.advanceTo(t, Math.max(t, nextStop), this.y);
      if (lin !== undefined) lin.propagator.advance(lin.z, lin.hasInput ? lin.b : undefined, h);
    }
    this.time = t;
  }

  addBolus(cmt: number, amount: number): void {
    const k = this.odeIndexOf[cmt] as number;
    if (k >= 0) this.y[k] = (this.y[k] as number) + amount;
    else if (this.linear !== undefined) this.linear.addBolus(this.linear.linearIndexOf[cmt] as number, amount);
    this.dirty = true;
  }

  setInputRate(cmt: number, rate: number): void {
    const k = this.odeIndexOf[cmt] as number;
    if (k >= 0) this.odeRates[k] = rate;
    else if (this.linear !== undefined) this.linear.setInputRate(this.linear.linearIndexOf[cmt] as number, rate);
    this.dirty = true;
  }

  readState(x: Float64Array): void {
    for (let k = 0; k < this.odeIndex.length; k++) x[this.odeIndex[k] as number] = this.y[k] as number;
    this.linear?.read(x);
  }

  writeState(x: Float64Array): void {
    for (let k = 0; k < this.odeIndex.length; k++) this.y[k] = x[this.odeIndex[k] as number] as number;
    this.linear?.write(x);
    this.dirty = true;
  }

  steadyState(shape: DoseShape): void {
    // Linear part: exact. ODE part: iterate the dosing interval from the initial conditions until it repeats.
    const t0 = this.time;
    this.reset(t0);
    this.linear?.steadyState(shape);
    this.dirty = true;
    const overlapping = shape.rate > 0 ? Math.ceil(shape.duration / shape.interval) - 1 : 0;
    this.iterateToSteadyState(`dosing interval II = ${shape.interval}`, () => {
      this.relabelTime(t0);
      this.simulateInterval(shape, t0, overlapping);
    });
    this.relabelTime(t0);
  }

  steadyStateConstant(cmt: number, rate: number): void {
    const t0 = this.time;
    this.reset(t0);
    this.linear?.steadyStateConstant(cmt, rate);
    this.dirty = true;
    // No natural period: integrate chunks of doubling length (each as long as all before it) until the state stops moving.
    let chunk = 1;
    this.iterateToSteadyState('constant infusion', () => {
      this.setInputRate(cmt, rate);
      this.advance(this.time + chunk, this.time + chunk);
      this.setInputRate(cmt, 0);
      chunk *= 2;
    });
    this.relabelTime(t0);
  }

  /** Keep the state but call its time t (steady-state iterations reuse one time window). */
  private relabelTime(t: number): void {
    this.time = t;
    this.dirty = true;
  }

  /** One dosing interval of the steady-state regimen, from phase 0 (just before an administration) to the next. */
  private simulateInterval(shape: DoseShape, start: number, overlapping: number): void {
    const { cmt, rate, duration, interval } = shape;
    if (rate === 0) {
      this.addBolus(cmt, shape.amount);
      this.advance(start + interval, start + interval);
      return;
    }
    // Infusion ends inside the interval: the current one at `duration` and earlier, overlapping ones at duration − k·II.
    const ends: number[] = [];
    for (let k = 0; k <= overlapping; k++) {
      const end = duration - k * interval;
      if (end > 0 && end < interval) ends.push(end);
    }
    ends.sort((a, b) => a - b);
    let running = overlapping + 1;
    this.setInputRate(cmt, running * rate);
    for (const end of ends) {
      this.advance(start + end, start + end);
      running--;
      this.setInputRate(cmt, running * rate);
    }
    this.advance(start + interval, start + interval);
    this.setInputRate(cmt, 0);
  }

  /**
   * Repeat `step` until the state repeats. The change per step shrinks geometrically (ratio q), so the distance
   * left to the steady state is about change·q/(1−q): convergence is declared when that estimate, not just the
   * last change, is within tolerance (a slowly contracting system moves little per step long before it arrives).
   */
  private iterateToSteadyState(what: string, step: () => void): void {
    const { rtol, atol, maxIntervals } = this.steadyStateSettings;
    const n = this.x.length;
    const before = float64(n);
    const after = float64(n);
    this.readState(before);
    let previousChange = Infinity;
    for (let k = 0; k < maxIntervals; k++) {
      step();
      this.readState(after);
      let change = 0;
      for (let i = 0; i < n; i++) {
        const a = after[i] as number;
        if (!Number.isFinite(a)) throw new SteadyStateNotReachedError(`steady state diverged (${this.model.compartments[i]} = ${a})`);
        change = Math.max(change, Math.abs(a - (before[i] as number)) / (atol + rtol * Math.abs(a)));
      }
      before.set(after);
      const ratio = change / previousChange;
      const remaining = ratio < 1 ? (change * ratio) / (1 - ratio) : Infinity;
      if (change === 0 || (change <= 1 && remaining <= 1)) return;
      previousChange = change;
    }
    throw new SteadyStateNotReachedError(`steady state not reached after ${maxIntervals} repetitions (${what})`);
  }
}

export function createDynamics(model: CompiledModel, steadyState: SteadyStateSettings): Dynamics {
  if (model.ode === undefined) return new ClosedFormDynamics(model);
  return new OdeDynamics(model, steadyState);
}
