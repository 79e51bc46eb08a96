/**
 * Add observation records on a time grid to every subject (mrgsolve's "obsaug"), so that a data set with
 * only doses can be simulated at chosen times. Added records: EVID 0, MDV 1, covariates carried backward from
 * the next data record (NONMEM's rule), or forward from the last one after the end of the data.
 * At equal times, data records come first (so a dose at t is given before the added observation at t).
 */

import type { SubjectRecords } from './dataset.js';

export function withObservationGrid(subject: SubjectRecords, grid: readonly number[]): SubjectRecords {
  const times = [...new Set(grid)].sort((a, b) => a - b);
  const n = subject.n + times.length;
  const order: number[] = []; // ≥ 0: data record index; < 0: -(grid index) - 1
  let i = 0;
  let g = 0;
  while (i < subject.n || g < times.length) {
    const ti = i < subject.n ? (subject.time[i] as number) : Infinity;
    const tg = g < times.length ? (times[g] as number) : Infinity;
    if (ti <= tg) order.push(i++);
    else order.push(-(g++) - 1);
  }
  // For an added record, the data record whose covariates it takes: the next data record, else the last.
  const source = new Int32Array(n);
  let next = subject.n - 1;
  for (let k = n - 1; k >= 0; k--) {
    const o = order[k] as number;
    if (o >= 0) next = o;
    source[k] = o >= 0 ? o : Math.max(next, 0);
  }
  const take = <A extends Float64Array | Int32Array | Uint8Array>(arr: A, added: number): A => {
    const out = new (arr.constructor as new (n: number) => A)(n);
    order.forEach((o, k) => {
      out[k] = o >= 0 ? (arr[o] as number) : added;
    });
    return out;
  };
  const time = new Float64Array(n);
  order.forEach((o, k) => {
    time[k] = o >= 0 ? (subject.time[o] as number) : (times[-o - 1] as number);
  });
  const columns = new Map<string, Float64Array>();
  for (const [name, col] of subject.columns) {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = col[source[k] as number] as number;
    columns.set(name, out);
  }
  return {
    id: subject.id,
    n,
    time,
    evid: take(subject.evid, 0),
    amt: take(subject.amt, 0),
    rate: take(subject.rate, 0),
    dur: take(subject.dur, 0),
    cmt: take(subject.cmt, 0),
    ii: take(subject.ii, 0),
    addl: take(subject.addl, 0),
    ss: take(subject.ss, 0),
    mdv: take(subject.mdv, 1),
    columns,
    sourceRow: take(subject.sourceRow, -1),
  };
}

/** Parse a grid: "start:end:step" (inclusive end), or a comma-separated list, or a mix ("0,0.5,1:24:1"). */
export function parseGrid(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const pieces = part.split(':').map((s) => s.trim());
    const nums = pieces.map(Number);
    if (nums.some((x) => !Number.isFinite(x)) || nums.some((x) => x < 0)) {
      throw new RangeError(`grid "${part}": expected non-negative numbers, as "start:end:step" or "t1,t2,..."`);
    }
    if (pieces.length === 1) {
      out.push(nums[0] as number);
    } else if (pieces.length === 3) {
      const [start, end, step] = nums as [number, number, number];
      if (!(step > 0)) throw new RangeError(`grid "${part}": the step must be > 0`);
      if (end < start) throw new RangeError(`grid "${part}": the end is before the start`);
      const count = Math.floor((end - start) / step + 1e-9);
      if (count > 10_000_000) throw new RangeError(`grid "${part}" has more than 10 million points`);
      // 15 significant digits: 0:1:0.1 gives 0.3, not 0.30000000000000004.
      for (let k = 0; k <= count; k++) out.push(Number((start + k * step).toPrecision(15)));
    } else {
      throw new RangeError(`grid "${part}": expected "start:end:step" or a single time`);
    }
  }
  return out;
}
