/**
 * A box chart drawn from percentiles already computed (e.g. a trial summary's 5/25/50/75/95th percentiles of
 * each arm's peak CADSS): per category a whisker from the 5th to the 95th percentile, a box from the 25th to the
 * 75th, a line at the median and a diamond at the mean. Pure: returns a Vega-Lite spec for renderSvg, data inline.
 */

import { axisTitle, type Axis, type ChartSpec } from './charts.js';
import { DEFAULT_HEIGHT, DEFAULT_WIDTH } from './theme.js';

/** One box: a category (e.g. an arm) and its percentiles; the mean is optional. */
export interface PercentileBox {
  readonly category: string;
  readonly p05: number;
  readonly p25: number;
  readonly p50: number;
  readonly p75: number;
  readonly p95: number;
  readonly mean?: number;
}

export interface PercentileChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  /** Title of the category axis (e.g. "Arm"). */
  readonly category: { readonly label: string };
  readonly y: Axis;
  readonly boxes: readonly PercentileBox[];
  /** Horizontal dashed lines, e.g. a threshold. */
  readonly referenceLines?: readonly { readonly y: number; readonly label: string }[];
  readonly yDomain?: readonly [number, number];
  readonly width?: number;
  readonly height?: number;
}

/** Percentile boxes per category (5–95 whiskers, 25–75 box, median line, mean diamond). */
export function percentileChart(opts: PercentileChartOptions): ChartSpec {
  if (!opts.title.trim()) throw new TypeError('chart: title must be a non-empty string');
  if (!opts.category.label.trim()) throw new TypeError('chart: category label must be a non-empty string');
  const seen = new Set<string>();
  const values: Record<string, number | string>[] = [];
  for (const b of opts.boxes) {
    if (!b.category.trim()) throw new TypeError('chart: box category must be a non-empty string');
    if (seen.has(b.category)) throw new Error(`chart: two boxes for category '${b.category}'`);
    seen.add(b.category);
    const q = [b.p05, b.p25, b.p50, b.p75, b.p95];
    if (!q.every(Number.isFinite)) throw new RangeError(`chart: box '${b.category}' has a non-finite percentile`);
    if (q.some((x, i) => i > 0 && x < (q[i - 1] as number))) throw new RangeError(`chart: box '${b.category}': percentiles must not decrease (${q.join(', ')})`);
    values.push({ c: b.category, p05: b.p05, p25: b.p25, p50: b.p50, p75: b.p75, p95: b.p95, ...(b.mean !== undefined && Number.isFinite(b.mean) ? { mean: b.mean } : {}) });
  }
  const categories = values.map((v) => v.c as string);
  const x = { field: 'c', type: 'nominal', title: opts.category.label, sort: categories, axis: { labelAngle: 0 } };
  // Not from zero: a box of blood pressures around 130 mmHg would be squeezed against the top.
  const yScale: Record<string, unknown> = opts.yDomain ? { domain: [...opts.yDomain] } : { zero: false };
  const y = (field: string) => ({ field, type: 'quantitative', title: axisTitle(opts.y), scale: yScale });
  const color = { field: 'c', type: 'nominal', scale: { domain: categories }, legend: null };
  const clip = opts.yDomain !== undefined;
  const layers: Record<string, unknown>[] = [
    { data: { values }, mark: { type: 'rule', strokeWidth: 2, clip }, encoding: { x, y: y('p05'), y2: { field: 'p95' }, color } },
    { data: { values }, mark: { type: 'bar', size: 34, opacity: 0.45, stroke: '#333333', strokeWidth: 1, clip }, encoding: { x, y: y('p25'), y2: { field: 'p75' }, color } },
    { data: { values }, mark: { type: 'tick', size: 34, thickness: 2.5, color: '#111111', clip }, encoding: { x, y: y('p50') } },
  ];
  const withMean = values.filter((v) => v.mean !== undefined);
  if (withMean.length > 0)
    layers.push({ data: { values: withMean }, mark: { type: 'point', shape: 'diamond', filled: true, size: 60, color: '#111111', opacity: 1, clip }, encoding: { x, y: y('mean') } });
  const lines = (opts.referenceLines ?? []).map((l) => {
    if (!Number.isFinite(l.y) || !l.label.trim()) throw new RangeError(`chart: reference line '${l.label}' needs a label and a finite y`);
    return { y: l.y, label: l.label };
  });
  if (lines.length > 0) {
    layers.push({ data: { values: lines }, mark: { type: 'rule', color: '#444444', strokeDash: [6, 4], strokeWidth: 1.25, clip }, encoding: { y: { field: 'y', type: 'quantitative' } } });
    layers.push({
      data: { values: lines },
      mark: { type: 'text', color: '#222222', fontSize: 11, align: 'right', baseline: 'bottom', dx: -4, dy: -3, clip },
      encoding: { y: { field: 'y', type: 'quantitative' }, x: { value: 'width' }, text: { field: 'label' } },
    });
  }
  const subtitle = [...(opts.subtitle ? [opts.subtitle] : []), 'Box: 25th–75th percentile; whiskers: 5th–95th; line: median' + (withMean.length > 0 ? '; diamond: mean' : '')];
  const spec = {
    title: { text: opts.title, subtitle },
    description: opts.title,
    width: opts.width ?? Math.min(DEFAULT_WIDTH, Math.max(240, 110 * values.length)),
    height: opts.height ?? DEFAULT_HEIGHT,
    layer: layers,
  };
  return spec as unknown as ChartSpec;
}
