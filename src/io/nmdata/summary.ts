import type { Dataset } from '../../core/data/dataset.js';

/** Counts for CLI messages. */
export interface DatasetSummary {
  readonly subjects: number;
  readonly records: number;
  /** Dose records (EVID 1 or 4), not counting ADDL repetitions. */
  readonly doses: number;
  /** Additional doses implied by ADDL on dose records. */
  readonly additionalDoses: number;
  /** Observation records (EVID 0). */
  readonly observations: number;
  /** Rows skipped because the comment column C flagged them. */
  readonly ignoredRows: number;
}

export function summarizeDataset(ds: Dataset): DatasetSummary {
  let records = 0;
  let doses = 0;
  let additionalDoses = 0;
  let observations = 0;
  for (const s of ds.subjects) {
    records += s.n;
    for (let i = 0; i < s.n; i++) {
      const e = s.evid[i];
      if (e === 0) observations++;
      else if (e === 1 || e === 4) {
        doses++;
        additionalDoses += s.addl[i] as number;
      }
    }
  }
  return { subjects: ds.subjects.length, records, doses, additionalDoses, observations, ignoredRows: ds.ignoredRows };
}

/** One line for the CLI, e.g. "dosing.csv: 16 subjects, 2117 records (21 doses + 40 by ADDL, 2096 observations), 3 rows ignored (C)". */
export function formatDatasetSummary(ds: Dataset): string {
  const s = summarizeDataset(ds);
  const plural = (k: number, word: string): string => `${k} ${word}${k === 1 ? '' : 's'}`;
  const addl = s.additionalDoses > 0 ? ` + ${s.additionalDoses} by ADDL` : '';
  const ignored = s.ignoredRows > 0 ? `, ${plural(s.ignoredRows, 'row')} ignored (C column)` : '';
  return `${ds.source}: ${plural(s.subjects, 'subject')}, ${plural(s.records, 'record')} (${plural(s.doses, 'dose')}${addl}, ${plural(s.observations, 'observation')})${ignored}`;
}
