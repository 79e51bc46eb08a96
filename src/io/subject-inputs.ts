/**
 * Per-subject inputs (mrgsolve's idata): a CSV with an ID column and one column per parameter, covariate or
 * random effect, one row per subject. Every subject of the data set must have a row.
 */

import { parse } from 'csv-parse/sync';
import { DataError } from '../core/errors.js';
import type { Dataset } from '../core/data/dataset.js';

export function readSubjectInputs(text: string, source: string, dataset: Pick<Dataset, 'subjects'>): { names: string[]; values: Float64Array } {
  const rows = parse(text, { bom: true, skip_empty_lines: true, trim: true }) as string[][];
  const header = rows[0];
  if (header === undefined) throw new DataError('empty file: expected a header with ID and input columns', { source });
  const idCol = header.findIndex((h) => h.toUpperCase() === 'ID');
  if (idCol < 0) throw new DataError(`no ID column (columns: ${header.join(', ')})`, { source, row: 1 });
  const names = header.filter((_, k) => k !== idCol);
  const byId = new Map<string, number[]>();
  rows.slice(1).forEach((cells, r) => {
    const row = r + 2;
    const id = cells[idCol] ?? '';
    if (byId.has(id)) throw new DataError(`ID ${id} appears twice`, { source, row, column: 'ID', value: id });
    const values = header.flatMap((h, k) => {
      if (k === idCol) return [];
      const cell = cells[k] ?? '';
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v)) throw new DataError('expected a number', { source, row, column: h, value: cell });
      return [v];
    });
    byId.set(id, values);
  });
  const values = new Float64Array(dataset.subjects.length * names.length);
  dataset.subjects.forEach((s, i) => {
    const v = byId.get(s.id) ?? byId.get(String(Number(s.id)));
    if (v === undefined) throw new DataError(`no row for ID ${s.id} of the data set`, { source, subject: s.id });
    values.set(v, i * names.length);
  });
  return { names, values };
}
