/** `ketasim models` and `ketasim describe <model>`: what is in the library, and every number with its source. */

import { Command } from 'commander';
import type { ModelSpec } from '../../core/model/index.js';
import { listLibrary, loadModelByName } from '../../node/library.js';

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list the built-in models')
    .option('--json', 'machine-readable list')
    .action((flags: { json?: boolean }) => {
      const entries = listLibrary();
      if (flags.json === true) {
        const list = entries.map((e) => ({ name: e.name, version: e.version, title: e.title, file: `models/${e.file}` }));
        process.stdout.write(`${JSON.stringify(list, null, 1)}\n`);
        return;
      }
      const width = Math.max(...entries.map((e) => e.name.length));
      for (const e of entries) process.stdout.write(`${e.name.padEnd(width)}  ${e.title}\n`);
    });

  program
    .command('describe')
    .description('print a model: parameters with units, variability and sources, compartments, outputs')
    .argument('<model>', 'built-in model name or path to a model file')
    .option('--json', 'the model definition as JSON')
    .action((name: string, flags: { json?: boolean }) => {
      const model = loadModelByName(name);
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify(model.spec, null, 1)}\n`);
        return;
      }
      process.stdout.write(describeSpec(model.spec));
    });
}

export function describeSpec(spec: ModelSpec): string {
  const out: string[] = [];
  out.push(`${spec.name} ${spec.version}: ${spec.title}`);
  if (spec.description !== undefined) out.push('', spec.description.trim());
  if (spec.intended_use !== undefined) out.push('', `Intended use: ${spec.intended_use.trim()}`);
  if (spec.extends !== undefined) out.push('', `Builds on: ${[spec.extends].flat().join(' + ')} (merged below)`);
  out.push('', `Units: time ${spec.units.time}, amount ${spec.units.amount}, volume ${spec.units.volume}`);
  const rows = Object.entries(spec.parameters).map(([n, p]) => [n, String(p.value), p.unit, p.evidence ?? '', p.source ?? '', [p.description, p.note].filter(Boolean).join('; ')]);
  if (rows.length > 0) out.push('', 'Parameters', ...table(['name', 'value', 'unit', 'evidence', 'source', 'description / note'], rows));
  const random = Object.entries(spec.random).map(([n, r]) => [
    n,
    r.variance !== undefined ? `variance ${r.variance}` : r.sd !== undefined ? `sd ${r.sd}` : `cv ${r.cv}`,
    r.evidence ?? '',
    r.source ?? '',
    [r.description, r.note].filter(Boolean).join('; '),
  ]);
  if (random.length > 0) out.push('', 'Between-subject variability', ...table(['effect', 'size', 'evidence', 'source', 'description / note'], random));
  if (spec.correlations.length > 0) out.push('', `Correlations: ${spec.correlations.map(([a, b, r]) => `${a}~${b} ${r}`).join(', ')}`);
  const cov = Object.entries(spec.covariates).map(([n, c]) => [n, c.unit, c.default === undefined ? 'required' : String(c.default), c.description ?? '']);
  if (cov.length > 0) out.push('', 'Covariates', ...table(['name', 'unit', 'default', 'description'], cov));
  out.push('', 'Compartments (CMT)', ...Object.entries(spec.compartments).map(([n, c], i) => `  ${i + 1} ${n}${c.description !== undefined ? `: ${c.description}` : ''}`));
  const routes = Object.entries(spec.routes);
  if (routes.length > 0) out.push('', 'Routes (a dose by a route goes into these compartments, one record each)', ...routes.map(([r, c]) => `  ${r}: ${c.join(', ')}`));
  const dose = Object.entries(spec.dose).map(([cmt, d]) =>
    `  ${cmt}: ${Object.entries(d)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} = ${String(v)}`)
      .join('; ')}`,
  );
  if (dose.length > 0) out.push('', 'Dose control', ...dose);
  if (spec.individual.trim() !== '') out.push('', 'Individual parameters', ...spec.individual.trim().split('\n').map((l) => `  ${l}`));
  const dyn = spec.dynamics;
  if (dyn.closed_form !== undefined) out.push('', `Dynamics: closed form (${Object.entries(dyn.closed_form.parameters).map(([k, v]) => `${k} = ${v}`).join(', ')})`);
  if (dyn.ode !== undefined) out.push('', 'Dynamics: ODEs', ...dyn.ode.trim().split('\n').map((l) => `  ${l}`));
  out.push('', 'Outputs', ...table(['name', 'unit', 'formula', 'description'], Object.entries(spec.outputs).map(([n, o]) => [n, o.unit, String(o.value), o.description ?? ''])));
  const residual = Object.entries(spec.residual).map(([n, r]) => [
    n,
    r.exponential !== undefined ? `exponential (log-scale SD) ${r.exponential}` : [r.additive !== undefined ? `additive SD ${r.additive}` : '', r.proportional !== undefined ? `proportional ${r.proportional}` : ''].filter(Boolean).join(' + '),
    r.range !== undefined ? `${r.range[0]} to ${r.range[1]} (observations outside are set to the nearest end)` : '',
    r.evidence ?? '',
    r.source ?? '',
    [r.description, r.note].filter(Boolean).join('; '),
  ]);
  if (residual.length > 0) out.push('', 'Residual error (observations)', ...table(['output', 'error', 'range', 'evidence', 'source', 'description / note'], residual));
  const refs = Object.entries(spec.references);
  if (refs.length > 0) out.push('', 'References', ...refs.map(([k, v]) => `  [${k}] ${v}`));
  if (spec.calibration !== undefined) out.push('', `Calibration: ${spec.calibration.trim()}`);
  return `${out.join('\n')}\n`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? '').length)));
  const line = (cells: string[]): string => `  ${cells.map((c, k) => (k === cells.length - 1 ? c : c.padEnd(widths[k] ?? 0))).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
