/**
 * `ketasim demo`: the main job of the quick start. The standard antidepressant induction of racemic ketamine
 * (0.5 mg/kg IV over 40 min on days 0, 2, 4, 7, 9, 11; examples/regimens/iv-induction.yaml) with the clinical
 * model, for the typical patient and a virtual population: prints the regimen as understood, the population's
 * response, remission and relapse, peaks and safety read-outs, and writes the table and an HTML report to out/demo/.
 * It is `ketasim regimen` with these arguments (printed at the end), so what it shows is what users get.
 */

import { join } from 'node:path';
import { Command } from 'commander';
import { packageRoot } from '../../node/library.js';
import { positiveInteger } from '../options.js';
import { runRegimen } from './regimen.js';

export const DEMO_REGIMEN = join('examples', 'regimens', 'iv-induction.yaml');

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main job: the standard IV induction (0.5 mg/kg over 40 min, six infusions) with the clinical model for a virtual population; writes out/demo/')
    .option('--out-dir <dir>', 'where to write the files', join('out', 'demo'))
    .option('--patients <n>', 'virtual patients', positiveInteger, 200)
    .action(async (flags: { outDir: string; patients: number }) => {
      const out = join(flags.outDir, 'table.csv');
      const report = join(flags.outDir, 'report.html');
      await runRegimen({ regimen: join(packageRoot, DEMO_REGIMEN), patients: flags.patients, seed: 1, out, report, safety: true });
      process.stdout.write(
        `\nWrote ${out} (median and 5th-95th percentiles of every output over time) and ${report} (plots, safety read-outs, the regimen).\n` +
          `Same run: ketasim regimen --regimen ${DEMO_REGIMEN} --patients ${flags.patients} --out ${out} --report ${report}\n`,
      );
    });
}
