/**
 * A simulated patient as time series: the observation records of a regimen simulation (times in hours, one
 * array per output), the dosing episodes (from the start of one dose to the start of the next), and what the
 * safety read-outs measure on them: peaks, threshold crossings, resolution. Pure (no I/O).
 *
 * Definitions (used in every read-out and in docs/regimens.md):
 * - An episode starts at a dose time and ends at the next distinct dose time (the last one at the end of
 *   follow-up). Doses given at the same time (e.g. two routes) share one episode.
 * - The peak is the largest value on the observation grid within the episode (the time is the grid time, so it
 *   is exact to the grid spacing: 5 min after doses by default).
 * - Crossing times are interpolated linearly between the grid points on either side of the threshold.
 * - An exceedance has resolved at the last downward crossing of the threshold within the episode (after it the
 *   value stays at or below the threshold until the next dose); if the value is still above the threshold at the
 *   end of the episode, it has not resolved (before the next dose or the end of follow-up).
 */

import type { CompiledModel } from '../core/model/index.js';
import type { SimulationResult } from '../core/simulate/simulate.js';
import type { GivenDose, PatientRegimen } from '../regimen/regimen.js';
import { clearlyLarger } from './format.js';

export interface OutputSeries {
  readonly name: string;
  readonly unit: string;
  readonly values: Float64Array;
}

export interface CovariateValue {
  readonly value: number;
  readonly unit: string;
  /** True when the user gave it (regimen covariates, weight, co-medication); false for the model default. */
  readonly given: boolean;
}

/** One simulated patient, in hours. */
export interface PatientSeries {
  /** Observation times, hours, increasing. */
  readonly timesH: Float64Array;
  readonly outputs: ReadonlyMap<string, OutputSeries>;
  /** Every covariate of the model with the value used (given, or the model's default). */
  readonly covariates: ReadonlyMap<string, CovariateValue>;
  readonly doses: readonly GivenDose[];
  readonly endH: number;
}

export interface Episode {
  /** 1-based numbers of the doses given at the start of the episode. */
  readonly doses: readonly number[];
  readonly startH: number;
  /** Next dose time or the end of follow-up. */
  readonly endH: number;
  /** Whether the episode ends with another dose (else: end of follow-up). */
  readonly endsWithDose: boolean;
}

/** Observation records of subject 1 as series in hours, with the covariate values the simulation used. */
export function patientSeries(model: CompiledModel, result: SimulationResult, patient: PatientRegimen): PatientSeries {
  const subject = result.dataset.subjects[0];
  if (subject === undefined) throw new RangeError('patientSeries: the simulation has no subject');
  const rows: number[] = [];
  for (let r = 0; r < subject.n; r++) if (subject.evid[r] === 0) rows.push(r);
  const start = result.subjectOffsets[0] ?? 0;
  const timesH = Float64Array.from(rows, (r) => (subject.time[r] as number) * patient.hoursPerModelTime);
  const outputs = new Map<string, OutputSeries>();
  result.outputNames.forEach((name, k) => {
    const column = result.values[k] as Float64Array;
    outputs.set(name, { name, unit: result.outputUnits[k] ?? '', values: Float64Array.from(rows, (r) => column[start + r] as number) });
  });
  const covariates = new Map<string, CovariateValue>();
  for (const name of model.covariateNames) {
    const spec = model.spec.covariates[name];
    const given = patient.covariates[name];
    if (given !== undefined) covariates.set(name, { value: given, unit: spec?.unit ?? '', given: true });
    else if (spec?.default !== undefined) covariates.set(name, { value: spec.default, unit: spec.unit, given: false });
  }
  return { timesH, outputs, covariates, doses: patient.doses, endH: patient.endH };
}

/** Dosing episodes: from each distinct dose time to the next (the last to the end of follow-up). */
export function episodes(doses: readonly GivenDose[], endH: number): Episode[] {
  const starts = [...new Set(doses.map((d) => d.timeH))].sort((a, b) => a - b);
  return starts.map((startH, k) => {
    const next = starts[k + 1];
    const numbers = doses.flatMap((d, i) => (d.timeH === startH ? [i + 1] : []));
    return { doses: numbers, startH, endH: next ?? endH, endsWithDose: next !== undefined };
  });
}

/**
 * Row range [from, to] (inclusive) of the times in [startH, endH], or [startH, endH) when `includeEnd` is false
 * (the observation at the next dose time is recorded after that dose and belongs to the next episode).
 */
function rowRange(timesH: ArrayLike<number>, startH: number, endH: number, includeEnd: boolean): [number, number] | undefined {
  let from = 0;
  while (from < timesH.length && (timesH[from] as number) < startH - 1e-9) from++;
  const inside = (t: number): boolean => (includeEnd ? t <= endH + 1e-9 : t < endH - 1e-9);
  if (from >= timesH.length || !inside(timesH[from] as number)) return undefined;
  let to = from;
  while (to + 1 < timesH.length && inside(timesH[to + 1] as number)) to++;
  return [from, to];
}

export interface Peak {
  readonly value: number;
  readonly timeH: number;
}

/**
 * The largest value in [startH, endH] ([startH, endH) unless `includeEnd`), first occurrence; undefined when no
 * grid point falls in the range.
 */
export function peakIn(
  timesH: ArrayLike<number>,
  values: ArrayLike<number>,
  startH = -Infinity,
  endH = Infinity,
  includeEnd = true,
): Peak | undefined {
  const range = rowRange(timesH, startH, endH, includeEnd);
  if (range === undefined) return undefined;
  const [from, to] = range;
  let best = from;
  for (let r = from + 1; r <= to; r++) if (clearlyLarger(values[r] as number, values[best] as number)) best = r;
  return { value: values[best] as number, timeH: timesH[best] as number };
}

/** Linear interpolation of the value at time t (clamped to the series). */
export function valueAt(timesH: ArrayLike<number>, values: ArrayLike<number>, t: number): number {
  const n = timesH.length;
  if (n === 0) return Number.NaN;
  if (t <= (timesH[0] as number)) return values[0] as number;
  for (let r = 1; r < n; r++) {
    const t1 = timesH[r] as number;
    if (t <= t1) {
      const t0 = timesH[r - 1] as number;
      const v0 = values[r - 1] as number;
      const v1 = values[r] as number;
      return t1 === t0 ? v1 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
    }
  }
  return values[n - 1] as number;
}

export interface Exceedance {
  readonly peak: Peak;
  /** Whether the value was above the threshold at any grid point of the episode. */
  readonly exceeded: boolean;
  /** First upward crossing (interpolated); the episode start if it began above. */
  readonly aboveFromH?: number;
  /** Last downward crossing (interpolated); null when still above at the end of the episode. */
  readonly resolvedH?: number | null;
  /** Total time above the threshold within the episode (interpolated), hours. */
  readonly hoursAbove: number;
}

/**
 * Peak and threshold crossings of a series within an episode ([startH, endH), or [startH, endH] when
 * `includeEnd`). `inclusive`: "at least" (≥) instead of "above" (>).
 */
export function exceedance(
  timesH: ArrayLike<number>,
  values: ArrayLike<number>,
  episode: { readonly startH: number; readonly endH: number; readonly endsWithDose: boolean },
  threshold: number,
  inclusive = false,
): Exceedance | undefined {
  const { startH, endH } = episode;
  const includeEnd = !episode.endsWithDose;
  const peak = peakIn(timesH, values, startH, endH, includeEnd);
  const range = rowRange(timesH, startH, endH, includeEnd);
  if (peak === undefined || range === undefined) return undefined;
  const [from, to] = range;
  const above = (v: number): boolean => (inclusive ? v >= threshold : v > threshold);
  const cross = (r: number): number => {
    // threshold crossing between rows r-1 and r
    const t0 = timesH[r - 1] as number;
    const t1 = timesH[r] as number;
    const v0 = values[r - 1] as number;
    const v1 = values[r] as number;
    return v1 === v0 ? t1 : t0 + ((threshold - v0) * (t1 - t0)) / (v1 - v0);
  };
  let aboveFromH: number | undefined;
  let lastDown: number | undefined;
  let hoursAbove = 0;
  let segmentStart: number | undefined;
  for (let r = from; r <= to; r++) {
    const isAbove = above(values[r] as number);
    const wasAbove = r > from && above(values[r - 1] as number);
    if (isAbove && !wasAbove) {
      const t = r === from ? (timesH[r] as number) : cross(r);
      aboveFromH ??= t;
      segmentStart = t;
    } else if (!isAbove && wasAbove) {
      const t = cross(r);
      lastDown = t;
      hoursAbove += t - (segmentStart as number);
      segmentStart = undefined;
    }
  }
  const endsAbove = above(values[to] as number);
  if (endsAbove && segmentStart !== undefined) hoursAbove += (timesH[to] as number) - segmentStart;
  if (aboveFromH === undefined) return { peak, exceeded: false, hoursAbove: 0 };
  return { peak, exceeded: true, aboveFromH, resolvedH: endsAbove ? null : (lastDown as number), hoursAbove };
}
