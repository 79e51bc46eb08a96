import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { DataError, type DataLocation } from '../../src/core/errors.js';
import type { Dataset, SubjectRecords } from '../../src/core/data/dataset.js';
import { readNonmemCsv } from '../../src/io/nmdata/index.js';

const root = new URL('../../', import.meta.url).pathname;

/** The nmtests data set: in the repo's fixtures, else in shared/ beside the repo. */
export function nmtestsData(): string {
  for (const path of [`${root}test/fixtures/nmtests/dosing-data.csv`, `${root}../shared/reference/nmtests/dosing-data.csv`]) {
    if (existsSync(path)) return readFileSync(path, 'utf8');
  }
  throw new Error('nmtests dosing-data.csv not found (test/fixtures/nmtests or ../shared/reference/nmtests)');
}

export function read(text: string, source = 'test.csv'): Dataset {
  return readNonmemCsv(text, { source });
}

/** Lines joined with LF, with a trailing line break. */
export function csv(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** The DataError thrown by `fn`; fails the test if none (or another error) is thrown. */
export function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error('expected a DataError, but nothing was thrown');
}

/**
 * Assert that `fn` throws a DataError with exactly these location fields (fields given as undefined must be absent)
 * and a detail matching `detail`; the message must show every location field.
 */
export function expectDataError(fn: () => unknown, location: DataLocation, detail: RegExp): DataError {
  const err = dataError(fn);
  for (const key of ['source', 'row', 'column', 'value', 'subject'] as const) {
    if (key in location) expect(err.location[key], `location.${key} of: ${err.message}`).toBe(location[key]);
  }
  expect(err.detail).toMatch(detail);
  if (location.row !== undefined) expect(err.message).toContain(`row ${location.row}`);
  if (location.column !== undefined) expect(err.message).toContain(`column ${location.column}`);
  if (location.value !== undefined) expect(err.message).toContain(`value '${location.value}'`);
  if (location.subject !== undefined) expect(err.message).toContain(`ID ${location.subject}`);
  if (location.source !== undefined) expect(err.message.startsWith(location.source)).toBe(true);
  return err;
}

/** One subject's records as plain arrays, for toEqual comparisons. */
export function plain(s: SubjectRecords): Record<string, unknown> {
  return {
    id: s.id,
    n: s.n,
    time: [...s.time],
    evid: [...s.evid],
    amt: [...s.amt],
    rate: [...s.rate],
    dur: [...s.dur],
    cmt: [...s.cmt],
    ii: [...s.ii],
    addl: [...s.addl],
    ss: [...s.ss],
    mdv: [...s.mdv],
    columns: Object.fromEntries([...s.columns].map(([k, v]) => [k, [...v]])),
    sourceRow: [...s.sourceRow],
  };
}
