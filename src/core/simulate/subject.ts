/**
 * NONMEM's event rules for one subject: records in file order; implied events (additional doses, lagged
 * administrations, infusion ends) from a time-ordered queue, processed before any record at the same time;
 * parameters from the record at or after each instant (next observation carried backward); outputs after the
 * record's own dose.
 *
 * Rules, as PREDPP applies them:
 *  - a dose record gives AMT·F to compartment CMT (0 = the model's default dose compartment), at TIME + lag;
 *    RATE > 0: infusion at RATE for AMT·F/RATE; RATE = -1: rate from the model; RATE = -2: duration from the
 *    model (or the DUR column); RATE = 0: bolus;
 *  - ADDL additional doses every II, each evaluated (F, lag, modelled rate/duration) at its own nominal time;
 *  - SS = 1: the state is reset to the steady state of the regimen (AMT, RATE, II) before the dose; infusions
 *    from earlier intervals that overlap (duration > II) keep running after the record; with a lag time the
 *    steady state is the one reached at that phase of the interval. SS = 2: the steady-state amounts are added to
 *    the current state. SS = 1 with II = 0 and RATE > 0: steady state of a constant infusion, which continues;
 *  - EVID 3 resets the state to the initial conditions; EVID 4 resets then doses. A reset cancels infusions in
 *    progress and pending additional doses; so does an SS = 1 dose. TIME may go back at a reset;
 *  - the output on a dose record is computed after a bolus without lag is given.
 */

import { DataError, KetasimError, SolverError } from '../errors.js';
import type { SubjectRecords } from '../data/dataset.js';
import { LinearRatesError, NoSteadyStateError } from '../linear/index.js';
import { DOSE_DURATION, DOSE_F, DOSE_LAG, DOSE_RATE } from '../model/compiled.js';
import type { CompiledModel } from '../model/compiled.js';
import type { ColumnBinding } from './bindings.js';
import type { Dynamics, OutputPlan } from './dynamics.js';
import { SteadyStateNotReachedError } from './dynamics.js';
import { PendingKind, PendingQueue } from './pending.js';
import type { PendingEvent } from './pending.js';
import { float64, int32, uint8 } from '../buffers.js';

/**
 * Where a subject's outputs go: one row per record, starting at an offset; the model outputs (model order),
 * then, when states were requested, one column per compartment.
 */
export type OutputTable = readonly Float64Array[];

/** Infusions running into one compartment: identities and rates (typed arrays reused across subjects). */
class RunningInfusions {
  ids = float64(4);
  rates = float64(4);
  count = 0;

  add(id: number, rate: number): void {
    if (this.count === this.ids.length) {
      const ids = float64(2 * this.count);
      const rates = float64(2 * this.count);
      ids.set(this.ids);
      rates.set(this.rates);
      this.ids = ids;
      this.rates = rates;
    }
    this.ids[this.count] = id;
    this.rates[this.count] = rate;
    this.count++;
  }

  remove(id: number): void {
    for (let k = 0; k < this.count; k++) {
      if (this.ids[k] === id) {
        for (let j = k + 1; j < this.count; j++) {
          this.ids[j - 1] = this.ids[j] as number;
          this.rates[j - 1] = this.rates[j] as number;
        }
        this.count--;
        return;
      }
    }
  }

  /** Sum of the running rates (recomputed, so that it returns to exactly 0 when none runs). */
  total(): number {
    let sum = 0;
    for (let k = 0; k < this.count; k++) sum += this.rates[k] as number;
    return sum;
  }
}

/** Reusable per-thread simulator: one instance simulates many subjects, one after the other, without allocating per record. */
export class SubjectSimulator {
  private readonly env: Float64Array;
  private readonly dose: Float64Array;
  private readonly state: Float64Array;
  private readonly scratchState: Float64Array;
  private readonly outputPlan: OutputPlan;
  private readonly pending = new PendingQueue();
  private readonly active: RunningInfusions[];
  private infusionCounter = 0;
  private changed = uint8(0);
  private nextBreak = float64(0);
  private runEnd = int32(0);
  private planKey: readonly unknown[] = [];
  private planN = -1;
  // Per-subject context for error messages.
  private subject!: SubjectRecords;
  private currentRecord = 0;

  constructor(
    private readonly model: CompiledModel,
    private readonly dynamics: Dynamics,
    private readonly bindings: readonly ColumnBinding[],
    private readonly source: string,
    private readonly includeStates: boolean,
  ) {
    const nCmt = model.compartments.length;
    this.env = float64(model.env.size);
    this.dose = float64(4 * nCmt).fill(NaN); // stays NaN (not modelled) when the model has no dose control
    this.state = float64(nCmt);
    this.scratchState = float64(nCmt);
    this.outputPlan = { env: this.env, nextStop: Infinity, model, includeStates };
    this.active = Array.from({ length: nCmt }, () => new RunningInfusions());
  }

  /** Simulate one subject. `envTemplate`: the model defaults with run- and subject-level overrides applied. */
  run(subject: SubjectRecords, envTemplate: Float64Array, table: OutputTable, offset: number): void {
    this.subject = subject;
    this.pending.clear();
    this.stopAllInfusions();
    this.env.set(envTemplate);
    this.prepareBreaks(subject);
    const { time, evid } = subject;
    const dyn = this.dynamics;
    for (let i = 0; i < subject.n; i++) {
      this.currentRecord = i;
      const t = time[i] as number;
      const e = evid[i] as number;
      try {
        // A run of observation records with nothing in between: the dynamics produce all rows in one tight loop.
        if (i > 0 && (e === 0 || e === 2) && this.changed[i] === 0 && t < this.pending.peekTime()) {
          const last = this.observationRunEnd(i);
          this.outputPlan.nextStop = Math.min(this.nextBreak[last] as number, this.pending.peekTime());
          this.checkRow(dyn.observe(time, i, last, this.outputPlan, table, offset), table, offset);
          i = last;
          continue;
        }
        if (this.changed[i] === 1) this.loadEnvironment(i);
        if (i === 0 || e === 3 || e === 4) {
          this.pending.clear();
          this.stopAllInfusions();
          dyn.reset(t);
        } else {
          while (this.pending.peekTime() <= t) {
            const ev = this.pending.pop();
            dyn.advance(ev.time, ev.time);
            if (!this.fire(ev)) this.pending.recycle(ev);
          }
          dyn.advance(t, Math.min(this.nextBreak[i] as number, this.pending.peekTime()));
        }
        if (e === 1 || e === 4) this.doseRecord(i);
        this.outputPlan.nextStop = Math.min(this.nextBreak[i] as number, this.pending.peekTime());
        this.checkRow(dyn.observe(time, i, i, this.outputPlan, table, offset), table, offset);
      } catch (err) {
        throw this.locate(err, t);
      }
    }
  }

  /**
   * Last record of the run of observation records starting at i that needs no event processing: plain
   * observations (EVID 0/2) in one parameter segment, before the next pending event (binary search on time).
   */
  private observationRunEnd(i: number): number {
    const time = this.subject.time;
    const limit = this.pending.peekTime();
    let hi = this.runEnd[i] as number;
    if ((time[hi] as number) < limit) return hi;
    let lo = i; // time[lo] < limit (checked by the caller)
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((time[mid] as number) < limit) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Does this subject share the record arrays the current plan was made from? (No allocation: called per subject.) */
  private samePlan(subject: SubjectRecords): boolean {
    const key = this.planKey;
    if (subject.n !== this.planN || key[0] !== subject.time || key[1] !== subject.evid) return false;
    for (let k = 0; k < this.bindings.length; k++) if (key[k + 2] !== subject.columns.get((this.bindings[k] as ColumnBinding).column)) return false;
    return true;
  }

  /**
   * Per-subject plan from the records alone: which records start a new parameter segment, the time of the next
   * discontinuity after each record, and where each run of plain observations ends. Cached: subjects that share
   * their record arrays (populations on one design) share the plan.
   */
  private prepareBreaks(subject: SubjectRecords): void {
    if (!this.samePlan(subject)) this.makePlan(subject);
  }

  // (Separate from prepareBreaks so that the common, cached case allocates nothing: the closure below would
  // make every call allocate its context.)
  private makePlan(subject: SubjectRecords): void {
    const n = subject.n;
    const columns = this.bindings.map((b) => subject.columns.get(b.column) as Float64Array);
    this.planKey = [subject.time, subject.evid, ...columns];
    this.planN = n;
    if (this.changed.length < n) {
      this.changed = uint8(n);
      this.nextBreak = float64(n);
      this.runEnd = int32(n);
    }
    const timeVarying = this.model.individualUsesTime;
    for (let i = 0; i < n; i++) {
      let changed = i === 0 || timeVarying;
      if (!changed) {
        for (const col of columns) {
          const a = col[i] as number;
          const b = col[i - 1] as number;
          if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) {
            changed = true;
            break;
          }
        }
      }
      this.changed[i] = changed ? 1 : 0;
    }
    // Nothing is observed after the last record: solvers stop there instead of stepping past it (a step past the
    // end is interpolated back, less accurately than a step that ends on it).
    let next = n > 0 ? (subject.time[n - 1] as number) : Infinity;
    let runEnd = n - 1;
    for (let i = n - 1; i >= 0; i--) {
      this.nextBreak[i] = next;
      const e = subject.evid[i] as number;
      if (e === 1 || e === 3 || e === 4 || this.changed[i] === 1) next = subject.time[i] as number;
      const plain = (e === 0 || e === 2) && this.changed[i] === 0;
      this.runEnd[i] = plain ? runEnd : i;
      if (!plain) runEnd = i - 1;
    }
  }

  private loadEnvironment(i: number): void {
    const env = this.env;
    const subject = this.subject;
    for (const b of this.bindings) {
      const v = (subject.columns.get(b.column) as Float64Array)[i] as number;
      if (!Number.isFinite(v)) {
        throw new DataError(`missing or non-finite value; the model uses ${b.column} as a ${b.kind}`, {
          column: b.column,
          value: String(v),
        });
      }
      env[b.slot] = v;
    }
    env[this.model.env.timeSlot] = subject.time[i] as number;
    this.model.computeIndividual(env);
    const { individualOffset } = this.model.env;
    const nIndividual = this.model.individualNames.length;
    for (let k = 0; k < nIndividual; k++) {
      const v = env[individualOffset + k] as number;
      if (!Number.isFinite(v)) throw new DataError(`individual variable ${this.model.individualNames[k]} evaluates to ${v}; check the inputs of this record`);
    }
    if (this.model.hasDoseControl) this.model.doseControl(env, this.dose);
    this.dynamics.setEnvironment(env);
  }

  /** Apply an implied event; returns true if the event object was scheduled again (the next additional dose). */
  private fire(ev: PendingEvent): boolean {
    switch (ev.kind) {
      case PendingKind.AdditionalDose:
        this.administer(ev.cmt, ev.recordAmount, ev.recordRate, ev.recordDuration, ev.time);
        if (ev.remaining > 0) {
          ev.time += ev.interval;
          ev.remaining--;
          this.pending.push(ev);
          return true;
        }
        return false;
      case PendingKind.Bolus:
        this.dynamics.addBolus(ev.cmt, ev.amount);
        return false;
      case PendingKind.InfusionStart:
        this.startInfusion(ev.cmt, ev.rate, ev.duration, ev.time);
        return false;
      case PendingKind.InfusionEnd:
        this.endInfusion(ev.cmt, ev.infusion);
        return false;
    }
  }

  private doseRecord(i: number): void {
    const s = this.subject;
    const c = this.doseCompartment(i);
    const t = s.time[i] as number;
    const amt = s.amt[i] as number;
    const rate = s.rate[i] as number;
    const dur = s.dur[i] as number;
    const ss = s.ss[i] as number;
    if (ss === 1 || ss === 2) this.steadyState(ss, c, amt, rate, dur, s.ii[i] as number, t);
    if (amt > 0 || rate > 0) this.administer(c, amt, rate, dur, t);
    const addl = s.addl[i] as number;
    if (addl > 0) {
      const e = this.pending.create(PendingKind.AdditionalDose, t + (s.ii[i] as number), c, i);
      e.recordAmount = amt;
      e.recordRate = rate;
      e.recordDuration = dur;
      e.interval = s.ii[i] as number;
      e.remaining = addl - 1;
      this.pending.push(e);
    }
  }

  private doseCompartment(i: number): number {
    const raw = this.subject.cmt[i] as number;
    const c = raw === 0 ? this.model.defaultDoseCompartment : raw - 1;
    const names = this.model.compartments;
    if (c < 0 || c >= names.length) {
      throw new DataError(
        `CMT ${raw} does not exist; the model's compartments are ${names.map((n, k) => `${k + 1} ${n}`).join(', ')}`,
        { column: 'CMT', value: String(raw) },
      );
    }
    if (this.model.dosable[c] !== true) {
      throw new DataError(`compartment ${raw} (${names[c]}) is an effect compartment and cannot receive doses`, { column: 'CMT', value: String(raw) });
    }
    return c;
  }

  /** Dose-control formulas that read DOSE are evaluated for each dose, with the dose's amount. */
  private doseDependentControl(amt: number): void {
    if (!this.model.doseControlUsesDose) return;
    this.env[this.model.env.doseSlot] = amt;
    this.model.doseControl(this.env, this.dose);
  }

  private bioavailability(c: number): number {
    const f = this.dose[4 * c + DOSE_F] as number;
    if (Number.isNaN(f)) return 1;
    if (!(f >= 0) || !Number.isFinite(f)) throw new DataError(`bioavailability of ${this.model.compartments[c]} is ${f}; it must be a finite number ≥ 0`);
    return f;
  }

  private lag(c: number): number {
    const lag = this.dose[4 * c + DOSE_LAG] as number;
    if (Number.isNaN(lag)) return 0;
    if (!(lag >= 0) || !Number.isFinite(lag)) throw new DataError(`lag time of ${this.model.compartments[c]} is ${lag}; it must be a finite number ≥ 0`);
    return lag;
  }

  /** Duration of the dose last shaped by infusionShape. */
  private shapeDuration = 0;

  /** Rate of a dose of `amount` (after F), its duration in shapeDuration: rate 0 means a bolus. */
  private infusionShape(c: number, amount: number, rateField: number, durField: number): number {
    const name = this.model.compartments[c];
    if (rateField === 0) {
      this.shapeDuration = 0;
      return 0;
    }
    if (rateField > 0) {
      this.shapeDuration = amount / rateField;
      return rateField;
    }
    if (rateField === -1) {
      const r = this.dose[4 * c + DOSE_RATE] as number;
      if (Number.isNaN(r)) throw new DataError(`RATE=-1 asks for a modelled infusion rate, but the model has no dose.${name}.rate`, { column: 'RATE', value: '-1' });
      if (!(r > 0) || !Number.isFinite(r)) throw new DataError(`modelled infusion rate dose.${name}.rate is ${r}; it must be > 0`, { column: 'RATE', value: '-1' });
      this.shapeDuration = amount / r;
      return r;
    }
    if (rateField === -2) {
      let d = this.dose[4 * c + DOSE_DURATION] as number;
      if (Number.isNaN(d)) {
        if (durField > 0) d = durField;
        else throw new DataError(`RATE=-2 asks for a modelled infusion duration, but the model has no dose.${name}.duration and the record has no DUR`, { column: 'RATE', value: '-2' });
      }
      if (!(d > 0) || !Number.isFinite(d)) throw new DataError(`modelled infusion duration dose.${name}.duration is ${d}; it must be > 0`, { column: 'RATE', value: '-2' });
      this.shapeDuration = d;
      return amount / d;
    }
    throw new DataError(`RATE must be > 0, 0, -1 or -2`, { column: 'RATE', value: String(rateField) });
  }

  /** Give a dose now (t = nominal time): F, lag and infusion shape from the current parameters. */
  private administer(c: number, amt: number, rateField: number, durField: number, t: number): void {
    this.doseDependentControl(amt);
    const amount = amt * this.bioavailability(c);
    const lag = this.lag(c);
    const rate = this.infusionShape(c, amount, rateField, durField);
    const duration = this.shapeDuration;
    if (amount === 0) return;
    if (lag === 0) {
      if (rate === 0) this.dynamics.addBolus(c, amount);
      else this.startInfusion(c, rate, duration, t);
      return;
    }
    const e = this.pending.create(rate === 0 ? PendingKind.Bolus : PendingKind.InfusionStart, t + lag, c, this.currentRecord);
    e.amount = amount;
    e.rate = rate;
    e.duration = duration;
    this.pending.push(e);
  }

  private startInfusion(c: number, rate: number, duration: number, t: number): void {
    const id = ++this.infusionCounter;
    (this.active[c] as RunningInfusions).add(id, rate);
    this.applyRate(c);
    if (Number.isFinite(duration)) {
      const e = this.pending.create(PendingKind.InfusionEnd, t + duration, c, this.currentRecord);
      e.infusion = id;
      this.pending.push(e);
    }
  }

  private endInfusion(c: number, id: number): void {
    (this.active[c] as RunningInfusions).remove(id);
    this.applyRate(c);
  }

  private stopAllInfusions(): void {
    for (const running of this.active) running.count = 0;
  }

  private applyRate(c: number): void {
    this.dynamics.setInputRate(c, (this.active[c] as RunningInfusions).total());
  }

  /**
   * SS = 1 or 2 on a dose record at time t. The regimen's steady state is computed at the last administration
   * at or before t (administrations at t + lag − j·II, j ≥ 1), then followed to t; infusions of that regimen
   * still running at t continue, and administrations of it still to come before t + lag (a lag ≥ II) are given.
   */
  private steadyState(mode: 1 | 2, c: number, amt: number, rateField: number, durField: number, ii: number, t: number): void {
    const dyn = this.dynamics;
    this.doseDependentControl(amt);
    const f = this.bioavailability(c);
    const lag = this.lag(c);
    const current = this.scratchState;
    if (mode === 2) dyn.readState(current);
    if (mode === 1) {
      this.pending.clear();
      this.stopAllInfusions();
    }
    if (ii === 0) {
      // Steady state of a constant infusion (AMT = 0, RATE > 0); the infusion continues.
      const rate = rateField * f;
      dyn.reset(t);
      const init = float64(this.state.length);
      dyn.readState(init);
      dyn.steadyStateConstant(c, rate);
      this.combine(mode, current, init);
      this.startInfusion(c, rate, Infinity, t);
      this.restoreRates();
      return;
    }
    const amount = amt * f;
    const rate = this.infusionShape(c, amount, rateField, durField);
    const duration = this.shapeDuration;
    const jStar = lag > 0 ? Math.max(1, Math.ceil(lag / ii)) : 1;
    const origin = t + lag - jStar * ii;
    dyn.reset(origin);
    const init = float64(this.state.length);
    dyn.readState(init);
    dyn.steadyState({ cmt: c, amount, rate, duration, interval: ii });
    // Follow the regimen from `origin` (just before an administration) to t.
    const ends: number[] = [];
    if (rate > 0) {
      const overlapping = Math.ceil(duration / ii) - 1;
      for (let k = 1; k <= overlapping; k++) ends.push(origin + duration - k * ii);
      ends.push(origin + duration);
      dyn.setInputRate(c, rate * ends.length);
    } else {
      dyn.addBolus(c, amount);
    }
    ends.sort((a, b) => a - b);
    let running = ends.length;
    for (const end of ends) {
      if (end > t) break;
      dyn.advance(end, end);
      running--;
      dyn.setInputRate(c, rate * running);
    }
    dyn.advance(t, t);
    this.combine(mode, current, init);
    for (const end of ends) if (end > t) this.startInfusion(c, rate, end - t, t);
    // A lag of II or more: administrations of the regimen's earlier doses still to come after t (at t + lag − j·II,
    // 0 < j < jStar) are part of its history, as the lagged doses of a dose record given every II would be.
    for (let j = jStar - 1; j >= 1; j--) {
      const e = this.pending.create(rate === 0 ? PendingKind.Bolus : PendingKind.InfusionStart, t + lag - j * ii, c, this.currentRecord);
      e.amount = amount;
      e.rate = rate;
      e.duration = duration;
      this.pending.push(e);
    }
    this.restoreRates();
  }

  /** After a steady-state computation: mode 1 keeps it, mode 2 adds it (minus the initial state) to the saved one. */
  private combine(mode: 1 | 2, saved: Float64Array, init: Float64Array): void {
    if (mode === 1) return;
    const x = this.state;
    this.dynamics.readState(x);
    for (let i = 0; i < x.length; i++) x[i] = (saved[i] as number) + (x[i] as number) - (init[i] as number);
    this.dynamics.writeState(x);
  }

  private restoreRates(): void {
    for (let c = 0; c < this.active.length; c++) this.applyRate(c);
  }

  /** observe() returned the first record whose outputs are not finite (or -1): name the output. */
  private checkRow(bad: number, table: OutputTable, offset: number): void {
    if (bad < 0) return;
    this.currentRecord = bad;
    const t = this.subject.time[bad] as number;
    const k = this.model.outputNames.findIndex((_, j) => !Number.isFinite((table[j] as Float64Array)[offset + bad] as number));
    const value = (table[Math.max(k, 0)] as Float64Array)[offset + bad];
    throw new SolverError(`output ${this.model.outputNames[Math.max(k, 0)]} is ${value}`, this.subject.id, t);
  }

  /** Attach subject, row and time to an error raised while processing the current record. */
  private locate(err: unknown, t: number): Error {
    const row = this.subject.sourceRow[this.currentRecord];
    const rowLocation = row !== undefined && row >= 0 ? { row } : {};
    if (err instanceof DataError) {
      return new DataError(err.detail, { source: this.source, ...rowLocation, subject: this.subject.id, ...err.location });
    }
    if (err instanceof SolverError) {
      return new SolverError(err.detail, this.subject.id, err.time);
    }
    if (err instanceof LinearRatesError || err instanceof NoSteadyStateError || err instanceof SteadyStateNotReachedError) {
      return new DataError(err.message, { source: this.source, ...rowLocation, subject: this.subject.id });
    }
    if (err instanceof KetasimError) return err;
    if (err instanceof Error) return new SolverError(err.message, this.subject.id, t);
    return new SolverError(String(err), this.subject.id, t);
  }
}
