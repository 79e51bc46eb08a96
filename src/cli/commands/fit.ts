/**
 * `ketasim fit`: Bayesian individualisation of one patient's record (docs/fitting.md). Prints the random effects
 * and individual parameters with 90% intervals, shrinkage, the objective and the goodness-of-fit table;
 * `--json` gives the same machine-readable; `--report` writes an HTML report (observed vs fitted, with the
 * posterior band of the individual prediction).
 */

import { Command, InvalidArgumentError, Option } from 'commander';
import { fitPatient, type FitResult, type PatientFit } from '../../fit/fit.js';
import { patientGridH, predictionBands } from '../../fit/forecast.js';
import type { CompiledModelWithRandom } from '../../core/model/index.js';
import { writeText } from '../../node/files.js';
import { loadModelByName } from '../../node/library.js';
import { readPatientFile } from '../../node/patient-file.js';
import { htmlReport, renderSvg, scatterWithLine, type Section } from '../../report/index.js';
import { DISCLAIMER } from '../main.js';
import { positiveInteger } from '../options.js';
import { packageVersion } from '../../node/version.js';

interface FitFlags {
  model: string;
  patient: string;
  json?: boolean;
  report?: string;
  uncertainty: 'laplace' | 'sir';
  draws?: number;
  seed?: number;
  starts?: number;
}

function seedNumber(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(x) || x < 0) throw new InvalidArgumentError(`expected an integer from 0 to 2^53 - 1, got "${value}"`);
  return x;
}

export function registerFit(program: Command): void {
  program
    .command('fit')
    .description('Fit a model to one patient\'s record (MAP Bayes with the population model as prior; Laplace or SIR uncertainty)')
    .option('-m, --model <model>', 'built-in model name or model file (needs random effects and a residual block)', 'ketamine-depression')
    .requiredOption('--patient <file>', 'patient record: JSON/YAML (ketasim: patient/1) or CSV in NONMEM layout (docs/patients.md)')
    .option('--json', 'machine-readable result')
    .option('--report <file>', 'write an HTML report (observed vs fitted)')
    .addOption(new Option('--uncertainty <method>', 'laplace (normal at the mode) or sir (sampling-importance resampling)').choices(['laplace', 'sir']).default('laplace'))
    .option('--draws <n>', 'posterior draws for intervals (default 1000)', positiveInteger)
    .option('--seed <n>', 'random seed of the draws (default 1)', seedNumber)
    .option('--starts <n>', 'extra starting points for the optimiser (default 0)', (v) => (v === '0' ? 0 : positiveInteger(v)))
    .action(async (flags: FitFlags) => {
      const model = loadModelByName(flags.model);
      const record = readPatientFile(flags.patient);
      const fit = fitPatient(model, record, {
        uncertainty: flags.uncertainty,
        ...(flags.draws !== undefined ? { draws: flags.draws } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.starts !== undefined ? { extraStarts: flags.starts } : {}),
      });
      if (flags.json === true) process.stdout.write(`${JSON.stringify({ ...fit.result, disclaimer: DISCLAIMER }, null, 1)}\n`);
      else process.stdout.write(formatFit(fit.result));
      if (flags.report !== undefined) {
        writeText(flags.report, await fitReport(model, fit, flags));
        if (flags.json !== true) process.stdout.write(`report: ${flags.report}\n`);
      }
    });
}

const g = (x: number, digits = 4): string => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x));

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, k) => c.padEnd(widths[k] as number)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function formatFit(r: FitResult): string {
  const out: string[] = [];
  const used = r.observations.length;
  out.push(`Patient ${r.patient}, model ${r.model}: ${used} observation${used === 1 ? '' : 's'} used, ${r.unused.length} not used`);
  out.push(`MAP ${r.converged ? 'converged' : 'DID NOT CONVERGE'} (${r.message}) in ${r.iterations} iterations, ${r.evaluations} model evaluations, ${r.timingsMs.total.toFixed(0)} ms`);
  out.push(`Objective (-2 log posterior): ${g(r.objective.total, 8)} = observations ${g(r.objective.observations, 8)} + prior ${g(r.objective.prior, 6)}`);
  const values = (v: Readonly<Record<string, number>>): string => Object.entries(v).map(([k, x]) => `${k} ${g(x)}`).join(', ');
  if (Object.keys(r.covariates.initial).length > 0) out.push(`Covariates: ${values(r.covariates.initial)}`);
  for (const c of r.covariates.changes) out.push(`  from ${g(c.timeH)} h: ${values(c.values)}`);
  out.push('');
  out.push(`Random effects (uncertainty: ${r.uncertainty.method}${r.uncertainty.effectiveSampleSize !== undefined ? `, effective sample size ${r.uncertainty.effectiveSampleSize.toFixed(0)}` : ''})`);
  out.push(
    ...table(
      ['eta', 'prior SD', 'estimate', '90% interval', 'posterior SD', 'SD ratio'],
      r.etas.map((e) => [e.name, g(e.priorSd, 3), g(e.estimate, 4), `${g(e.ci90[0], 3)} to ${g(e.ci90[1], 3)}`, g(e.posteriorSd, 3), g(e.sdRatio, 2)]),
    ),
  );
  out.push('  SD ratio = posterior SD / prior SD: 1 = the record says nothing about this effect (shrinkage to the population), 0 = fully determined.');
  out.push('');
  out.push('Individual parameters (typical: this patient\'s covariates at the end of the record, etas 0)');
  out.push(...table(['parameter', 'typical', 'estimate', 'median', '90% interval'], r.parameters.map((p) => [p.name, g(p.typical), g(p.estimate), g(p.median), `${g(p.ci90[0], 3)} to ${g(p.ci90[1], 3)}`])));
  out.push('');
  out.push('Goodness of fit (IPRED: individual prediction at the MAP; PRED: typical patient; IWRES: (obs - IPRED)/SD)');
  out.push(
    ...table(
      ['record', 'time h', 'type', 'observed', 'IPRED', 'PRED', 'IWRES'],
      r.observations.map((o) => [
        o.where,
        g(o.timeH, 5),
        o.type,
        o.censoring === 'below' ? `<= ${g(o.observed)}` : o.censoring === 'above' ? `>= ${g(o.observed)}` : g(o.observed),
        g(o.ipred),
        g(o.pred),
        Number.isNaN(o.iwres) ? 'censored' : g(o.iwres, 3),
      ]),
    ),
  );
  if (r.unused.length > 0) {
    out.push('');
    out.push('Not used in the fit:');
    for (const u of r.unused) out.push(`  ${u.where} (${u.type} at ${g(u.timeH, 5)} h): ${u.reason}`);
  }
  if (r.warnings.length > 0) {
    out.push('');
    out.push('Warnings:');
    for (const w of r.warnings) out.push(`  ${w}`);
  }
  out.push('');
  out.push(DISCLAIMER);
  return `${out.join('\n')}\n`;
}

async function fitReport(model: CompiledModelWithRandom, fit: PatientFit, flags: FitFlags): Promise<string> {
  const r = fit.result;
  const types = [...new Set(r.observations.map((o) => o.type))];
  const outputs = types.map((t) => fit.design.observations.find((o) => o.record.type.name === t)?.record.type.output as string);
  const lastH = Math.max(...fit.design.record.observations.map((o) => o.timeH), ...fit.design.doses.map((d) => d.timeH + d.durationH));
  const grid = patientGridH(fit.design.doses, lastH + 24, lastH > 24 * 14 ? 6 : 1);
  const bands = predictionBands(model, fit, { gridH: grid, outputs, draws: 200 });
  const hoursOrDays = lastH > 72;
  const scale = hoursOrDays ? 1 / 24 : 1;
  const charts: string[] = [];
  for (const [k, type] of types.entries()) {
    const b = bands.outputs[k];
    if (b === undefined) continue;
    const obs = r.observations.filter((o) => o.type === type);
    charts.push(
      await renderSvg(
        scatterWithLine({
          title: `${type}: observed and fitted`,
          subtitle: `band: 90% of the posterior of the individual prediction (${r.uncertainty.method}); censored observations at their bound`,
          x: { label: 'Time', unit: hoursOrDays ? 'd' : 'h' },
          y: { label: type, unit: b.unit },
          observed: [{ name: 'observed', points: obs.map((o) => ({ x: o.timeH * scale, y: o.observed })) }],
          fitted: [
            { name: 'individual (MAP)', points: bands.timesH.map((t, i) => ({ x: t * scale, y: b.ipred[i] as number })) },
            { name: 'typical patient', points: bands.timesH.map((t, i) => ({ x: t * scale, y: b.pred[i] as number })) },
          ],
          bands: [{ name: '90% posterior', points: bands.timesH.map((t, i) => ({ x: t * scale, lower: b.lower[i] as number, upper: b.upper[i] as number })) }],
        }),
      ),
    );
  }
  const sections: Section[] = [
    { heading: 'Fit', text: `MAP ${r.converged ? 'converged' : 'did not converge'} (${r.message}); objective ${g(r.objective.total, 8)} (observations ${g(r.objective.observations, 6)}, prior ${g(r.objective.prior, 4)}). ${r.observations.length} observations used, ${r.unused.length} not used.${r.warnings.length > 0 ? `\n\nWarnings: ${r.warnings.join('; ')}` : ''}`, charts },
    {
      heading: 'Estimates',
      tables: [
        {
          caption: 'Random effects',
          columns: [{ key: 'name', label: 'eta' }, { key: 'priorSd', label: 'prior SD' }, { key: 'estimate', label: 'MAP' }, { key: 'lo', label: '90% lower' }, { key: 'hi', label: '90% upper' }, { key: 'sdRatio', label: 'posterior/prior SD' }],
          rows: r.etas.map((e) => ({ ...e, lo: e.ci90[0], hi: e.ci90[1] })),
          note: 'A ratio near 1 means the record does not inform this effect (the estimate stays at the population value).',
        },
        {
          caption: 'Individual parameters',
          columns: [{ key: 'name', label: 'parameter' }, { key: 'typical', label: 'typical' }, { key: 'estimate', label: 'MAP' }, { key: 'lo', label: '90% lower' }, { key: 'hi', label: '90% upper' }],
          rows: r.parameters.map((p) => ({ ...p, lo: p.ci90[0], hi: p.ci90[1] })),
        },
      ],
    },
    {
      heading: 'Goodness of fit',
      tables: [
        {
          caption: 'Observations',
          columns: [{ key: 'where', label: 'record' }, { key: 'timeH', label: 'time', unit: 'h' }, { key: 'type', label: 'type' }, { key: 'observed', label: 'observed' }, { key: 'censoring', label: 'censoring' }, { key: 'ipred', label: 'IPRED' }, { key: 'pred', label: 'PRED' }, { key: 'iwres', label: 'IWRES' }],
          rows: r.observations.map((o) => ({ ...o, iwres: Number.isNaN(o.iwres) ? '' : o.iwres })),
        },
        ...(r.unused.length > 0 ? [{ caption: 'Not used', columns: [{ key: 'where', label: 'record' }, { key: 'type', label: 'type' }, { key: 'timeH', label: 'time', unit: 'h' }, { key: 'reason', label: 'reason' }], rows: r.unused }] : []),
      ],
    },
  ];
  return htmlReport({
    title: `Bayesian fit: patient ${r.patient}`,
    subtitle: `model ${r.model}`,
    disclaimer: DISCLAIMER,
    sections,
    provenance: { Model: `${model.name} ${model.spec.version}`, Patient: flags.patient, ketasim: packageVersion() },
  });
}
