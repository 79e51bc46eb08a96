/** Validation results as text: the table `ketasim validate` prints, and the words shared with the HTML report. */

import type { Published } from './schema.js';
import type { Status, Summary, TargetResult } from './run.js';

/** A number to 3 significant digits (4 from 1000 up), plain notation. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? '–' : x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(3)));
}

/** "32.1 ± 9.4 SD", "79 (CI 69–90)", "1.12 ×/÷ 1.72 GSD", "0.78". */
export function publishedText(p: Published): string {
  if (p.ci !== undefined) return `${num(p.value)} (CI ${num(p.ci[0])}–${num(p.ci[1])})`;
  if (p.sd !== undefined) return `${num(p.value)} ± ${num(p.sd)} SD`;
  if (p.se !== undefined) return `${num(p.value)} ± ${num(p.se)} SE`;
  if (p.gsd !== undefined) return `${num(p.value)} ×/÷ ${num(p.gsd)} GSD`;
  return num(p.value);
}

export function predictedText(r: TargetResult): string {
  if (r.status === 'error') return 'error';
  const sd = r.details.sd;
  return typeof sd === 'number' && r.metric.type === 'mean_change' ? `${num(r.predicted)} ± ${num(sd)} SD` : num(r.predicted);
}

export function errorText(r: TargetResult): string {
  if (!Number.isFinite(r.error.relative)) return Number.isFinite(r.error.absolute) ? `${r.error.absolute >= 0 ? '+' : ''}${num(r.error.absolute)}` : '–';
  const pct = 100 * r.error.relative;
  return `${pct >= 0 ? '+' : '−'}${Math.abs(pct).toFixed(Math.abs(pct) < 10 ? 1 : 0)}%`;
}

export const STATUS_TEXT: Readonly<Record<Status, string>> = {
  pass: 'PASS',
  fail: 'FAIL',
  'known-miss': 'KNOWN MISS',
  'unexpected-pass': 'FAIL (expected miss now passes: remove expected_miss)',
  error: 'ERROR',
};

export function statusText(r: TargetResult): string {
  return r.status === 'error' ? `ERROR: ${r.message ?? ''}` : STATUS_TEXT[r.status];
}

/** Table rows (one per target) with the columns of the printed table and the report. */
export function tableRows(results: readonly TargetResult[]): Record<string, string>[] {
  return results.map((r) => ({
    id: r.id,
    model: r.model,
    use: r.use,
    metric: r.metricText,
    unit: r.unit,
    published: publishedText(r.published),
    predicted: predictedText(r),
    error: errorText(r),
    tolerance: r.toleranceText,
    uncertainty: r.uncertainty,
    status: statusText(r),
  }));
}

const COLUMNS: readonly [string, string][] = [
  ['id', 'id'],
  ['model', 'model'],
  ['use', 'use'],
  ['published', 'published'],
  ['predicted', 'predicted'],
  ['unit', 'unit'],
  ['error', 'error'],
  ['tolerance', 'tolerance'],
  ['uncertainty', 'vs published'],
  ['status', 'status'],
];

/** The plain-text table (aligned columns). */
export function textTable(results: readonly TargetResult[]): string {
  const rows = tableRows(results);
  const widths = COLUMNS.map(([key, label]) => Math.max(label.length, ...rows.map((r) => (r[key] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, k) => (k === cells.length - 1 ? c : c.padEnd(widths[k] ?? 0))).join('  ').trimEnd();
  return [
    line(COLUMNS.map(([, label]) => label)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(COLUMNS.map(([key]) => r[key] ?? ''))),
  ].join('\n');
}

function counts(c: Readonly<Record<Status, number>>): string {
  const parts = [`${c.pass} pass`, `${c.fail} fail`];
  if (c['known-miss'] > 0) parts.push(`${c['known-miss']} known miss${c['known-miss'] === 1 ? '' : 'es'}`);
  if (c['unexpected-pass'] > 0) parts.push(`${c['unexpected-pass']} stale expected_miss`);
  if (c.error > 0) parts.push(`${c.error} error${c.error === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** "calibration: 9 pass, 0 fail; check: 14 pass, 0 fail, 4 known misses (27 targets)". */
export function summaryText(s: Summary): string {
  return `calibration: ${counts(s.byUse.calibration)}; check: ${counts(s.byUse.check)} (${s.total} target${s.total === 1 ? '' : 's'})`;
}
