/**
 * Streaming, mergeable summaries of a trial: one accumulator per arm takes each patient's compact outcome and
 * keeps integer counts, exact sums (ExactSum) and fixed-bin histograms — nothing that grows with N. Two
 * accumulators merge into the one that would have seen both sets of patients, and the summary read from it is
 * bit-identical whatever the partition (workers, shards, order).
 */

import { ExactSum } from './exact-sum.js';
import { Histogram, type HistogramState } from './histogram.js';

/** What is kept of one simulated patient. */
export interface SubjectOutcome {
  readonly arm: number;
  /** Global subject index (the random streams' key). */
  readonly subject: number;
  /** Covariate values (TrialPlan.covariateNames). */
  readonly covariates: Float64Array;
  /** Score at each visit as observed (with residual error); NaN after dropout. */
  readonly scores: Float64Array;
  /** Last visit attended. */
  readonly lastVisit: number;
  /** Peak of each peak output up to dropout, and its value at time 0. */
  readonly peaks: Float64Array;
  readonly baselines: Float64Array;
  /** Per safety threshold: 1 when the patient met it (on the peak or on a reading, see run.ts), else 0. */
  readonly hits: Uint8Array;
}

export interface ArmShape {
  readonly visits: number;
  readonly peakOutputs: number;
  /** Number of safety thresholds. */
  readonly thresholds: number;
  readonly responsePct: number;
  readonly remission: { readonly op: '<' | '≤'; readonly value: number } | undefined;
  readonly missing: 'observed' | 'locf';
  /** Visit at which responders are selected for relapse (−1: none). */
  readonly relapseVisit: number;
}

class Moments {
  n = 0;
  readonly sum = new ExactSum();
  readonly squares = new ExactSum();
  readonly hist = new Histogram();
  add(x: number): void {
    this.n++;
    this.sum.add(x);
    this.squares.addSquare(x);
    this.hist.add(x);
  }
  merge(o: Moments): void {
    this.n += o.n;
    this.sum.merge(o.sum);
    this.squares.merge(o.squares);
    this.hist.merge(o.hist);
  }
  toJSON(): MomentsState {
    return { n: this.n, sum: this.sum.toJSON(), squares: this.squares.toJSON(), hist: this.hist.toJSON() };
  }
  static fromJSON(s: MomentsState): Moments {
    const m = new Moments();
    m.n = s.n;
    m.sum.merge(ExactSum.fromPartials(s.sum));
    m.squares.merge(ExactSum.fromPartials(s.squares));
    m.hist.merge(Histogram.fromJSON(s.hist));
    return m;
  }
}

export interface MomentsState {
  readonly n: number;
  readonly sum: readonly number[];
  readonly squares: readonly number[];
  readonly hist: HistogramState;
}

export interface ArmState {
  readonly subjects: number;
  readonly completers: number;
  readonly score: readonly MomentsState[];
  readonly change: readonly MomentsState[];
  readonly responders: readonly number[];
  readonly remitters: readonly number[];
  readonly responseEvents: readonly number[];
  readonly responseCensored: readonly number[];
  readonly relapseAssessed: number;
  readonly relapseResponders: number;
  readonly relapseEvents: readonly number[];
  readonly relapseCensored: readonly number[];
  readonly peaks: readonly MomentsState[];
  readonly rises: readonly MomentsState[];
  readonly thresholdCounts: readonly number[];
  readonly lastVisit: readonly number[];
  readonly nonFinite: number;
}

export class ArmAccumulator {
  subjects = 0;
  completers = 0;
  nonFinite = 0;
  readonly score: Moments[];
  readonly change: Moments[];
  readonly responders: number[];
  readonly remitters: number[];
  /** Time to first response: events and censorings per visit. */
  readonly responseEvents: number[];
  readonly responseCensored: number[];
  relapseAssessed = 0;
  relapseResponders = 0;
  readonly relapseEvents: number[];
  readonly relapseCensored: number[];
  readonly peaks: Moments[];
  readonly rises: Moments[];
  readonly thresholdCounts: number[];
  /** Subjects by last visit attended. */
  readonly lastVisit: number[];

  constructor(readonly shape: ArmShape) {
    const v = shape.visits;
    const zeros = (k: number): number[] => new Array<number>(k).fill(0);
    this.score = Array.from({ length: v }, () => new Moments());
    this.change = Array.from({ length: v }, () => new Moments());
    this.responders = zeros(v);
    this.remitters = zeros(v);
    this.responseEvents = zeros(v);
    this.responseCensored = zeros(v);
    this.relapseEvents = zeros(v);
    this.relapseCensored = zeros(v);
    this.peaks = Array.from({ length: shape.peakOutputs }, () => new Moments());
    this.rises = Array.from({ length: shape.peakOutputs }, () => new Moments());
    this.thresholdCounts = zeros(shape.thresholds);
    this.lastVisit = zeros(v);
  }

  /** Response (≥ pct % below baseline) and remission of a score. */
  private responds(score: number, base: number): boolean {
    return base > 0 && (100 * (base - score)) / base >= this.shape.responsePct - 1e-9;
  }

  private remits(score: number): boolean {
    const r = this.shape.remission;
    if (r === undefined) return false;
    return r.op === '<' ? score < r.value : score <= r.value;
  }

  add(o: SubjectOutcome): void {
    const shape = this.shape;
    const nv = shape.visits;
    this.subjects++;
    if (o.lastVisit === nv - 1) this.completers++;
    this.lastVisit[o.lastVisit] = (this.lastVisit[o.lastVisit] as number) + 1;
    const base = o.scores[0] as number;
    if (!Number.isFinite(base)) {
      this.nonFinite++;
      return;
    }
    const locf = shape.missing === 'locf';
    let carried = base;
    let firstResponse = -1;
    for (let v = 0; v < nv; v++) {
      let y: number;
      if (v <= o.lastVisit) {
        y = o.scores[v] as number;
        carried = y;
      } else if (locf) y = carried;
      else continue;
      if (!Number.isFinite(y)) {
        this.nonFinite++;
        continue;
      }
      this.score[v]?.add(y);
      this.change[v]?.add(y - base);
      if (v > 0) {
        const resp = this.responds(y, base);
        if (resp) this.responders[v] = (this.responders[v] as number) + 1;
        if (this.remits(y)) this.remitters[v] = (this.remitters[v] as number) + 1;
        if (resp && firstResponse < 0 && v <= o.lastVisit) firstResponse = v;
      }
    }
    // Time to first response (observed visits only): event at that visit, else censored at the last visit attended.
    if (firstResponse > 0) this.responseEvents[firstResponse] = (this.responseEvents[firstResponse] as number) + 1;
    else this.responseCensored[o.lastVisit] = (this.responseCensored[o.lastVisit] as number) + 1;
    // Relapse: responders at the assessment visit; event at the first later visit no longer ≥ pct % below baseline.
    const rv = shape.relapseVisit;
    if (rv > 0 && o.lastVisit >= rv) {
      this.relapseAssessed++;
      if (this.responds(o.scores[rv] as number, base)) {
        this.relapseResponders++;
        let event = -1;
        for (let v = rv + 1; v <= o.lastVisit; v++) {
          if (!this.responds(o.scores[v] as number, base)) {
            event = v;
            break;
          }
        }
        if (event > 0) this.relapseEvents[event] = (this.relapseEvents[event] as number) + 1;
        else this.relapseCensored[o.lastVisit] = (this.relapseCensored[o.lastVisit] as number) + 1;
      }
    }
    for (let k = 0; k < shape.peakOutputs; k++) {
      const p = o.peaks[k] as number;
      const b = o.baselines[k] as number;
      if (!Number.isFinite(p) || !Number.isFinite(b)) {
        this.nonFinite++;
        continue;
      }
      this.peaks[k]?.add(p);
      this.rises[k]?.add(p - b);
    }
    for (let j = 0; j < shape.thresholds; j++) this.thresholdCounts[j] = (this.thresholdCounts[j] as number) + (o.hits[j] as number);
  }

  merge(o: ArmAccumulator): void {
    this.subjects += o.subjects;
    this.completers += o.completers;
    this.nonFinite += o.nonFinite;
    this.relapseAssessed += o.relapseAssessed;
    this.relapseResponders += o.relapseResponders;
    const addInto = (a: number[], b: readonly number[]): void => {
      for (let i = 0; i < a.length; i++) a[i] = (a[i] as number) + (b[i] as number);
    };
    this.score.forEach((m, i) => m.merge(o.score[i] as Moments));
    this.change.forEach((m, i) => m.merge(o.change[i] as Moments));
    this.peaks.forEach((m, i) => m.merge(o.peaks[i] as Moments));
    this.rises.forEach((m, i) => m.merge(o.rises[i] as Moments));
    addInto(this.responders, o.responders);
    addInto(this.remitters, o.remitters);
    addInto(this.responseEvents, o.responseEvents);
    addInto(this.responseCensored, o.responseCensored);
    addInto(this.relapseEvents, o.relapseEvents);
    addInto(this.relapseCensored, o.relapseCensored);
    addInto(this.thresholdCounts, o.thresholdCounts);
    addInto(this.lastVisit, o.lastVisit);
  }

  toJSON(): ArmState {
    return {
      subjects: this.subjects,
      completers: this.completers,
      score: this.score.map((m) => m.toJSON()),
      change: this.change.map((m) => m.toJSON()),
      responders: [...this.responders],
      remitters: [...this.remitters],
      responseEvents: [...this.responseEvents],
      responseCensored: [...this.responseCensored],
      relapseAssessed: this.relapseAssessed,
      relapseResponders: this.relapseResponders,
      relapseEvents: [...this.relapseEvents],
      relapseCensored: [...this.relapseCensored],
      peaks: this.peaks.map((m) => m.toJSON()),
      rises: this.rises.map((m) => m.toJSON()),
      thresholdCounts: [...this.thresholdCounts],
      lastVisit: [...this.lastVisit],
      nonFinite: this.nonFinite,
    };
  }

  static fromJSON(shape: ArmShape, s: ArmState): ArmAccumulator {
    const a = new ArmAccumulator(shape);
    const check = (name: string, got: number, want: number): void => {
      if (got !== want) throw new RangeError(`accumulator state: ${name} has ${got} entries, the design ${want}`);
    };
    check('score', s.score.length, shape.visits);
    check('peaks', s.peaks.length, shape.peakOutputs);
    check('thresholdCounts', s.thresholdCounts.length, shape.thresholds);
    a.subjects = s.subjects;
    a.completers = s.completers;
    a.nonFinite = s.nonFinite;
    a.relapseAssessed = s.relapseAssessed;
    a.relapseResponders = s.relapseResponders;
    const copy = (dst: number[], src: readonly number[]): void => {
      for (let i = 0; i < dst.length; i++) dst[i] = src[i] ?? 0;
    };
    s.score.forEach((m, i) => (a.score[i] as Moments).merge(Moments.fromJSON(m)));
    s.change.forEach((m, i) => (a.change[i] as Moments).merge(Moments.fromJSON(m)));
    s.peaks.forEach((m, i) => (a.peaks[i] as Moments).merge(Moments.fromJSON(m)));
    s.rises.forEach((m, i) => (a.rises[i] as Moments).merge(Moments.fromJSON(m)));
    copy(a.responders, s.responders);
    copy(a.remitters, s.remitters);
    copy(a.responseEvents, s.responseEvents);
    copy(a.responseCensored, s.responseCensored);
    copy(a.relapseEvents, s.relapseEvents);
    copy(a.relapseCensored, s.relapseCensored);
    copy(a.thresholdCounts, s.thresholdCounts);
    copy(a.lastVisit, s.lastVisit);
    return a;
  }

  /** Moments of the score / change / peaks, for the summary. */
  scoreAt(v: number): { n: number; sum: number; squares: number; hist: Histogram } {
    return read(this.score[v] as Moments);
  }
  changeAt(v: number): { n: number; sum: number; squares: number; hist: Histogram } {
    return read(this.change[v] as Moments);
  }
  peak(k: number): { n: number; sum: number; squares: number; hist: Histogram } {
    return read(this.peaks[k] as Moments);
  }
  rise(k: number): { n: number; sum: number; squares: number; hist: Histogram } {
    return read(this.rises[k] as Moments);
  }
}

function read(m: Moments): { n: number; sum: number; squares: number; hist: Histogram } {
  return { n: m.n, sum: m.sum.value(), squares: m.squares.value(), hist: m.hist };
}
