/**
 * The validation report: one standalone HTML page (src/report) with the table of targets, the predicted-against-
 * published plots, every miss with its note, the simulated curve of each concentration target, and the sources.
 */

import { htmlReport, renderSvg, type Figure, type Section } from '../report/index.js';
import { curveChart, predictedVsPublishedChart, ratioChart } from './charts.js';
import { errorText, publishedText, statusText, summaryText, tableRows } from './format.js';
import { summarize, type TargetResult } from './run.js';

export interface ValidationReportOptions {
  readonly disclaimer: string;
  readonly title?: string;
  readonly provenance?: Readonly<Record<string, string>>;
  readonly generatedAt?: Date | string;
  /** Called with chart-rendering warnings (default: ignored). */
  readonly onWarning?: (message: string) => void;
}

function byModel(results: readonly TargetResult[]): [string, TargetResult[]][] {
  const groups = new Map<string, TargetResult[]>();
  for (const r of results) groups.set(r.model, [...(groups.get(r.model) ?? []), r]);
  return [...groups];
}

export async function validationReport(results: readonly TargetResult[], options: ValidationReportOptions): Promise<string> {
  const render = (spec: Parameters<typeof renderSvg>[0]): Promise<string> => renderSvg(spec, { onWarning: options.onWarning ?? (() => undefined) });
  const summary = summarize(results);
  const models = [...new Set(results.map((r) => `${r.model} ${r.modelVersion}`))];
  const sections: Section[] = [];

  sections.push({
    heading: 'Summary',
    text: [
      summaryText(summary),
      'Each target is a published number beside the model\u2019s prediction for the same scenario. use = calibration: the number was used to set a model parameter (its note says which), so agreement is expected and the test keeps it; use = check: the number was not used to build the model. PASS: within the target\u2019s tolerance. KNOWN MISS: outside the tolerance, and the validation file says so (expected_miss) with the reason in its note. FAIL: outside the tolerance without such a note. "vs published" says where the prediction lies relative to the published uncertainty (CI, SD, SE or GSD), whatever the tolerance.',
    ].join('\n\n'),
    tables: byModel(results).map(([model, rs]) => ({
      caption: `${model}: ${summaryText(summarize(rs))}`,
      columns: [
        { key: 'id', label: 'Target' },
        { key: 'use', label: 'Use' },
        { key: 'published', label: 'Published', align: 'right' as const },
        { key: 'predicted', label: 'Predicted', align: 'right' as const },
        { key: 'unit', label: 'Unit' },
        { key: 'error', label: 'Error', align: 'right' as const },
        { key: 'tolerance', label: 'Tolerance' },
        { key: 'uncertainty', label: 'vs published' },
        { key: 'status', label: 'Status' },
      ],
      rows: tableRows(rs),
      note: 'Error: (predicted − published) / |published|. Tolerance: the target passes when any of the listed criteria holds. The metric of each target is in "Targets and sources".',
    })),
  });

  const charts: Figure[] = [];
  const scatter = predictedVsPublishedChart(results.filter((r) => r.predicted > 0 && r.published.value > 0));
  if (scatter !== undefined) charts.push({ svg: await render(scatter), caption: 'Targets with positive values. Orange: calibration targets; blue: checks. Circle: pass; diamond: known miss; triangle: fail.' });
  const other = results.filter((r) => Number.isFinite(r.predicted) && !(r.predicted > 0 && r.published.value > 0));
  const scatterOther = predictedVsPublishedChart(other, 'Predicted against published (targets with values ≤ 0)');
  if (scatterOther !== undefined) charts.push({ svg: await render(scatterOther), caption: 'Targets whose published or predicted value is zero or negative (linear axes).' });
  const ratios = ratioChart(results);
  if (ratios !== undefined) charts.push({ svg: await render(ratios), caption: 'Each target\u2019s prediction as a multiple of the published value; the grey bar is the range its tolerance accepts.' });
  sections.push({ heading: 'Predicted and published', charts });

  const misses = results.filter((r) => r.status !== 'pass');
  sections.push({
    heading: 'Misses and failures',
    text:
      misses.length === 0
        ? 'Every target is within its tolerance.'
        : 'Targets outside their tolerance (known misses, with the reason the validation file gives, and failures) and targets that could not be run.',
    ...(misses.length > 0
      ? {
          tables: [
            {
              caption: `Not passing (${misses.length})`,
              columns: [
                { key: 'id', label: 'Target' },
                { key: 'status', label: 'Status' },
                { key: 'published', label: 'Published', align: 'right' },
                { key: 'predicted', label: 'Predicted', align: 'right' },
                { key: 'error', label: 'Error', align: 'right' },
                { key: 'note', label: 'Note' },
              ],
              rows: misses.map((r) => ({
                id: r.id,
                status: statusText(r),
                published: publishedText(r.published),
                predicted: Number.isFinite(r.predicted) ? String(Number(r.predicted.toPrecision(3))) : '–',
                error: errorText(r),
                note: r.note ?? '',
              })),
            },
          ],
        }
      : {}),
  });

  const curves: Figure[] = [];
  for (const r of results) {
    const spec = curveChart(r);
    if (spec !== undefined) curves.push({ svg: await render(spec), caption: `${r.metricText}: published ${publishedText(r.published)}, predicted ${String(Number(r.predicted.toPrecision(3)))} ${r.unit} (${statusText(r)}).` });
  }
  if (curves.length > 0) sections.push({ heading: 'Concentration targets', text: 'The simulated curve of each concentration target with the published value.', charts: curves });

  sections.push({
    heading: 'Targets and sources',
    tables: [
      {
        caption: 'What each target is, where its number comes from, and notes',
        columns: [
          { key: 'id', label: 'Target' },
          { key: 'description', label: 'Description' },
          { key: 'metric', label: 'Metric' },
          { key: 'use', label: 'Use' },
          { key: 'source', label: 'Source' },
          { key: 'note', label: 'Note' },
        ],
        rows: results.map((r) => ({
          id: r.id,
          description: r.description,
          metric: r.metricText,
          use: r.use,
          source: `[${r.source}] ${r.citation}`,
          note: [r.note, r.published.note !== undefined ? `Published: ${r.published.note}` : undefined, r.message].filter(Boolean).join(' '),
        })),
      },
    ],
  });

  return htmlReport({
    title: options.title ?? 'ketasim validation: model predictions beside published results',
    subtitle: `${models.join(', ')} \u2014 ${summaryText(summary)}`,
    disclaimer: options.disclaimer,
    sections,
    ...(options.generatedAt !== undefined ? { generatedAt: options.generatedAt } : {}),
    provenance: { ...(options.provenance ?? {}), Models: models.join(', '), 'Validation files': [...new Set(results.map((r) => r.file))].join(', ') },
  });
}
