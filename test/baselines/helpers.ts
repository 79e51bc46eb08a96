import { readFileSync } from 'node:fs';
import type { Dataset } from '../../src/core/data/dataset.js';
import { loadModel } from '../../src/core/model/index.js';
import { forEachRow, type SimulationResult } from '../../src/core/simulate/simulate.js';

export const fixture = (name: string): string => new URL(`../fixtures/baselines/${name}`, import.meta.url).pathname;
export const example = (name: string): string => new URL(`../../examples/baselines/${name}`, import.meta.url).pathname;

export function loadExample(name: string) {
  return loadModel(readFileSync(example(name), 'utf8'), name);
}

/** Reference CSV (header + numeric rows) as columns by name. */
export function readReference(name: string): Record<string, number[]> {
  const lines = readFileSync(fixture(name), 'utf8').trim().split(/\r?\n/);
  const header = (lines[0] as string).split(',');
  const cols: Record<string, number[]> = Object.fromEntries(header.map((h) => [h, [] as number[]]));
  for (const line of lines.slice(1)) line.split(',').forEach((cell, k) => cols[header[k] as string]?.push(Number(cell)));
  return cols;
}

/** Observation rows only (EVID 0), per output: the grid points, in order (subjects one after another). */
export function observationColumn(result: SimulationResult, _dataset: Dataset, output: string): number[] {
  const k = result.outputNames.indexOf(output);
  if (k < 0) throw new Error(`no output ${output}`);
  const out: number[] = [];
  forEachRow(result, (s, record, row) => {
    if (result.dataset.subjects[s]?.evid[record] === 0) out.push((result.values[k] as Float64Array)[row] as number);
  });
  return out;
}

/**
 * Largest relative error |x − ref| / |ref| over points where |ref| ≥ fraction × max|ref| of its block
 * (blocks of `blockSize` points: per subject), as the baselines README scores the peers.
 */
export function maxRelativeError(x: readonly number[], ref: readonly number[], fraction: number, blockSize = ref.length): number {
  if (x.length !== ref.length) throw new Error(`length ${x.length} vs reference ${ref.length}`);
  let worst = 0;
  for (let start = 0; start < ref.length; start += blockSize) {
    let max = 0;
    for (let i = start; i < start + blockSize; i++) max = Math.max(max, Math.abs(ref[i] as number));
    for (let i = start; i < start + blockSize; i++) {
      const r = ref[i] as number;
      if (Math.abs(r) >= fraction * max && r !== 0) worst = Math.max(worst, Math.abs((x[i] as number) - r) / Math.abs(r));
    }
  }
  return worst;
}

export function maxAbsoluteError(x: readonly number[], ref: readonly number[]): number {
  let worst = 0;
  ref.forEach((r, i) => {
    worst = Math.max(worst, Math.abs((x[i] as number) - r));
  });
  return worst;
}
