/**
 * The peer-baseline problems P1–P4 (../shared/baselines/common/model.md) built with the ketasim library API,
 * shared by the exactness tests and the benchmark. Time in minutes, amounts in mg, CP in ng/mL.
 */

import { readFileSync } from 'node:fs';
import { parseGrid, withObservationGrid } from '../../src/core/data/augment.js';
import type { Dataset, SubjectRecords } from '../../src/core/data/dataset.js';
import { datasetFromRows } from '../../src/io/nmdata/index.js';

export const DOSE_MG = 35;
export const INFUSION_MIN = 40;
export const RATE_MG_PER_MIN = DOSE_MG / INFUSION_MIN;
/** P4: infusion starts, days 0, 2, 4, 7, 9, 11 in minutes. */
export const P4_STARTS_MIN = [0, 2880, 5760, 10080, 12960, 15840];
export const SUBJECT_PARAMETER_NAMES = ['V1', 'K10', 'K12', 'K21', 'K13', 'K31'] as const;

/** The pre-drawn population: per-subject V1 and micro-constants, as `subjectInputs` for simulate(). */
export function readSubjects(path: string, n: number): { names: string[]; values: Float64Array } {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const header = (lines[0] as string).split(',');
  const cols = SUBJECT_PARAMETER_NAMES.map((name) => header.indexOf(name));
  if (cols.some((c) => c < 0)) throw new Error(`${path}: expected columns ID,${SUBJECT_PARAMETER_NAMES.join(',')}`);
  if (lines.length - 1 < n) throw new Error(`${path} has ${lines.length - 1} subjects, ${n} requested`);
  const values = new Float64Array(n * cols.length);
  for (let i = 0; i < n; i++) {
    const cells = (lines[i + 1] as string).split(',');
    cols.forEach((c, k) => {
      values[i * cols.length + k] = Number(cells[c]);
    });
  }
  return { names: [...SUBJECT_PARAMETER_NAMES], values };
}

/** One subject: infusions of 35 mg over 40 min at `starts`, observations on `grid`. */
function subjectWith(starts: readonly number[], grid: string): SubjectRecords {
  const doses = datasetFromRows(
    starts.map((t) => ({ ID: 1, TIME: t, EVID: 1, AMT: DOSE_MG, RATE: RATE_MG_PER_MIN, CMT: 1 })),
    'baseline regimen',
  );
  return withObservationGrid(doses.subjects[0] as SubjectRecords, parseGrid(grid));
}

/** N subjects sharing one record table (only the ID differs): memory does not grow with the records. */
function population(template: SubjectRecords, n: number, source: string): Dataset {
  const subjects = Array.from({ length: n }, (_, i) => ({ ...template, id: String(i + 1) }));
  return { source, subjects, columnNames: ['ID', 'TIME', 'EVID', 'AMT', 'RATE', 'CMT'], textColumns: [], ignoredRows: 0 };
}

/** P1: typical subject, one infusion, output every minute for 24 h (1441 points). */
export function p1Dataset(): Dataset {
  return population(subjectWith([0], '0:1440:1'), 1, 'P1');
}

/** P2: N subjects, one infusion, output every 5 min for 24 h (289 points). */
export function p2Dataset(n: number): Dataset {
  return population(subjectWith([0], '0:1440:5'), n, `P2 N=${n}`);
}

/** P3: N subjects, one infusion, output every hour for 14 days (337 points). */
export function p3Dataset(n: number): Dataset {
  return population(subjectWith([0], '0:20160:60'), n, `P3 N=${n}`);
}

/** P4: typical subject, 6 infusions, output every 10 min for 21 days (3025 points). */
export function p4Dataset(): Dataset {
  return population(subjectWith(P4_STARTS_MIN, '0:30240:10'), 1, 'P4');
}
