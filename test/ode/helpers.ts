/** Shared helpers for the ODE solver tests. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { SolverError } from '../../src/core/errors.js';
import { createRawIntegrator, type OdeIntegrator, type OdeOptions, type OdeRhs } from '../../src/core/ode/index.js';

export const METHODS = ['dopri5', 'bdf'] as const;
export type Method = (typeof METHODS)[number];

/**
 * Integrates from t0 through `times` (ascending, >= t0) with a single tStop, and returns the outputs as rows.
 * `events` (optional) are restart points: at each event time the state is modified by `jump` and `init` is called.
 */
export function solve(
  method: Method,
  n: number,
  rhs: OdeRhs,
  options: OdeOptions,
  t0: number,
  y0: ArrayLike<number>,
  times: readonly number[],
  tStop: number = times[times.length - 1]!,
): { ys: Float64Array[]; integrator: OdeIntegrator } {
  const integ = createRawIntegrator(method, n, rhs, options);
  integ.init(t0, Float64Array.from(y0));
  const ys: Float64Array[] = [];
  for (const t of times) {
    const y = new Float64Array(n);
    integ.advanceTo(t, tStop, y);
    ys.push(y);
  }
  return { ys, integrator: integ };
}

/** max over times of max_i |y_i − ref_i| / max_i |ref_i| (a relative error that is safe when a component crosses 0). */
export function maxRelError(ys: readonly ArrayLike<number>[], refs: readonly ArrayLike<number>[]): number {
  let worst = 0;
  for (let k = 0; k < ys.length; k++) {
    const y = ys[k]!;
    const r = refs[k]!;
    let num = 0;
    let den = 0;
    for (let i = 0; i < r.length; i++) {
      num = Math.max(num, Math.abs(y[i]! - r[i]!));
      den = Math.max(den, Math.abs(r[i]!));
    }
    worst = Math.max(worst, num / den);
  }
  return worst;
}

/** Componentwise: max over times and components of |y_i − ref_i| / (|ref_i| + floor_i). */
export function maxComponentRelError(ys: readonly ArrayLike<number>[], refs: readonly ArrayLike<number>[], floor: readonly number[]): number {
  let worst = 0;
  for (let k = 0; k < ys.length; k++) {
    const y = ys[k]!;
    const r = refs[k]!;
    for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(y[i]! - r[i]!) / (Math.abs(r[i]!) + floor[i]!));
  }
  return worst;
}

export function linspace(a: number, b: number, m: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < m; k++) out.push(k === m - 1 ? b : a + ((b - a) * k) / (m - 1));
  return out;
}

export interface Fixture {
  /** `# key: value` header lines. */
  meta: Record<string, string>;
  columns: string[];
  t: number[];
  /** rows of state values (without t). */
  y: number[][];
}

const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ode');

export function readFixture(name: string): Fixture {
  const text = readFileSync(join(FIXTURE_DIR, name), 'utf8');
  const meta: Record<string, string> = {};
  let columns: string[] = [];
  const t: number[] = [];
  const y: number[][] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*([\w.]+):\s*(.*)$/.exec(line);
      if (m) meta[m[1]!] = m[2]!;
      continue;
    }
    const cells = line.split(',');
    if (columns.length === 0) {
      columns = cells;
      continue;
    }
    const v = cells.map(Number);
    t.push(v[0]!);
    y.push(v.slice(1));
  }
  return { meta, columns, t, y };
}

/** Runs fn, expects it to throw a SolverError, and returns it. */
export function expectSolverError(fn: () => void): SolverError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SolverError);
    return e as SolverError;
  }
  throw new Error('expected a SolverError');
}
