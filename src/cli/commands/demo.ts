/**
 * `ketasim demo`: the main job of the quick start. Simulates the standard antidepressant regimen of racemic
 * ketamine (0.5 mg/kg IV over 40 min, six infusions over 12 days) for a 70 kg adult with the library's Domino
 * model, writes the data set and the concentration table, and prints a readable summary.
 */

import { join } from 'node:path';
import { Command } from 'commander';
import { withObservationGrid, parseGrid } from '../../core/data/augment.js';
import type { SubjectRecords } from '../../core/data/dataset.js';
import { simulate } from '../../core/simulate/simulate.js';
import { datasetFromRows } from '../../io/nmdata/index.js';
import { resultToCsv } from '../../io/results.js';
import { writeText } from '../../node/files.js';
import { loadModelByName } from '../../node/library.js';
import { positiveNumber } from '../options.js';
import { DISCLAIMER } from '../main.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('simulate 0.5 mg/kg ketamine IV over 40 min on days 0, 2, 4, 7, 9, 11 and write the results to out/demo/')
    .option('--out-dir <dir>', 'where to write the files', join('out', 'demo'))
    .option('--weight <kg>', 'body weight (kg)', positiveNumber, 70)
    .option('--dose <mg/kg>', 'dose per infusion (mg/kg)', positiveNumber, 0.5)
    .action((flags: { outDir: string; weight: number; dose: number }) => runDemo(flags));
}

function runDemo({ outDir, weight, dose }: { outDir: string; weight: number; dose: number }): void {
  const model = loadModelByName('ketamine-iv-domino');
  const infusionHours = 40 / 60;
  const amountMg = dose * weight;
  const days = [0, 2, 4, 7, 9, 11];
  const rows = days.map((d) => ({ ID: 1, TIME: 24 * d, EVID: 1, AMT: amountMg, RATE: amountMg / infusionHours, CMT: 1, WT: weight }));
  const dataset = datasetFromRows(rows, 'demo regimen');
  const grid = parseGrid('0:336:0.0833333333333333');
  const withGrid = { ...dataset, subjects: dataset.subjects.map((s) => withObservationGrid(s, grid)) };
  const result = simulate(model, withGrid);

  const dataCsv = ['ID,TIME,EVID,AMT,RATE,CMT,WT', ...rows.map((r) => [r.ID, r.TIME, r.EVID, r.AMT, r.RATE, r.CMT, r.WT].join(','))].join('\n');
  const dataPath = join(outDir, 'regimen.csv');
  const resultPath = join(outDir, 'concentrations.csv');
  writeText(dataPath, `${dataCsv}\n`);
  writeText(resultPath, resultToCsv(result, { digits: 6 }));

  const subject = withGrid.subjects[0] as SubjectRecords;
  const time = subject.time;
  const cp = result.values[result.outputNames.indexOf('CP')] as Float64Array;
  const ce = result.values[result.outputNames.indexOf('CE')] as Float64Array;
  const lines: string[] = [];
  lines.push(`ketasim demo: ${model.spec.title}`);
  lines.push(`Regimen: ${dose} mg/kg (${fmt(amountMg)} mg for ${weight} kg) IV over 40 min on days ${days.join(', ')}`);
  lines.push('');
  lines.push('infusion  start (day)  peak CP (ng/mL)  at (min)  peak CE (ng/mL)  at (min)  CP 24 h later (ng/mL)');
  days.forEach((d, k) => {
    const start = 24 * d;
    const end = k + 1 < days.length ? 24 * (days[k + 1] as number) : 336;
    let iCp = -1;
    let iCe = -1;
    let at24 = NaN;
    for (let r = 0; r < result.rows; r++) {
      const t = time[r] as number;
      if (t < start || t >= end) continue;
      if (iCp < 0 || (cp[r] as number) > (cp[iCp] as number)) iCp = r;
      if (iCe < 0 || (ce[r] as number) > (ce[iCe] as number)) iCe = r;
      if (Math.abs(t - (start + 24)) < 1e-6) at24 = cp[r] as number;
    }
    const minutes = (r: number): string => fmt(((time[r] as number) - start) * 60);
    lines.push(
      `${String(k + 1).padStart(8)}  ${String(d).padStart(11)}  ${fmt(cp[iCp] as number).padStart(15)}  ${minutes(iCp).padStart(8)}  ` +
        `${fmt(ce[iCe] as number).padStart(15)}  ${minutes(iCe).padStart(8)}  ${fmt(at24).padStart(21)}`,
    );
  });
  lines.push('');
  lines.push(`Wrote ${dataPath} (the regimen as a NONMEM-style data set) and ${resultPath} (CP, CE every 5 min for 14 days).`);
  lines.push(`Same run from the command line: ketasim simulate --model ketamine-iv-domino --data ${dataPath} --grid 0:336:0.0833333333333333 --out ${resultPath}`);
  lines.push('');
  lines.push(DISCLAIMER);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '-';
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(1) : x.toPrecision(2);
}
