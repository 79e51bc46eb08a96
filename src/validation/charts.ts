/**
 * Charts of a validation run, as Vega-Lite specs with inline data (render with renderSvg from src/report):
 * predicted against published values, predicted/published with the tolerance of each target, and the simulated
 * curve of a concentration target with the published value. Pure.
 */

import type { ChartSpec } from '../report/index.js';
import { PALETTE } from '../report/index.js';
import { num, publishedText, STATUS_TEXT } from './format.js';
import { publishedInterval } from './tolerance.js';
import type { TargetResult } from './run.js';

type Row = Record<string, number | string>;
type Layer = Record<string, unknown>;

const USE_DOMAIN = ['calibration', 'check'];
const USE_COLORS = [PALETTE[1] ?? '#D55E00', PALETTE[0] ?? '#0072B2'];
const STATUS_DOMAIN = ['pass', 'known miss', 'fail'];
const STATUS_SHAPES = ['circle', 'diamond', 'triangle-up'];

function statusLabel(r: TargetResult): string {
  return r.status === 'pass' ? 'pass' : r.status === 'known-miss' ? 'known miss' : 'fail';
}

function useColor(): Layer {
  return { field: 'use', type: 'nominal', title: 'Use', scale: { domain: USE_DOMAIN, range: USE_COLORS } };
}

function statusShape(): Layer {
  return { field: 'status', type: 'nominal', title: 'Status', scale: { domain: STATUS_DOMAIN, range: STATUS_SHAPES } };
}

/** Results that can be plotted (a finite prediction). */
function plottable(results: readonly TargetResult[]): TargetResult[] {
  return results.filter((r) => Number.isFinite(r.predicted) && Number.isFinite(r.published.value));
}

/**
 * Predicted against published, one point per target (colour: calibration or check; shape: pass, known miss,
 * fail), horizontal bars for the published uncertainty (CI, ±1 SD, ±1.96 SE, ×/÷ GSD) and the identity line.
 * Log axes when every value is positive and they span more than a factor of 20 (bars below the axis are cut).
 * Targets that are not pass are labelled with their id.
 */
export function predictedVsPublishedChart(results: readonly TargetResult[], title = 'Predicted against published'): ChartSpec | undefined {
  const rs = plottable(results);
  if (rs.length === 0) return undefined;
  const values = rs.flatMap((r) => [r.predicted, r.published.value]);
  const positive = values.every((v) => v > 0);
  const lo0 = Math.min(...values);
  const hi0 = Math.max(...values);
  const log = positive && hi0 / lo0 > 20;
  const domain: [number, number] = log ? [lo0 / 1.6, hi0 * 1.6] : padLinear(lo0, hi0);
  const scale = log ? { type: 'log', domain, nice: false } : { domain, nice: false, zero: false };
  const clampLo = (x: number): number => Math.max(domain[0], Math.min(domain[1], x));
  const points: Row[] = rs.map((r) => ({ id: r.id, pub: r.published.value, pred: r.predicted, use: r.use, status: statusLabel(r) }));
  const bars: Row[] = rs.flatMap((r) => {
    const iv = publishedInterval(r.published);
    return iv === undefined ? [] : [{ id: r.id, lo: clampLo(iv.lower), hi: clampLo(iv.upper), pred: r.predicted, use: r.use }];
  });
  const labels = points.filter((p) => p.status !== 'pass');
  const x = { field: 'pub', type: 'quantitative', title: 'Published value (units of each target)', scale };
  const y = { field: 'pred', type: 'quantitative', title: 'Predicted value', scale };
  const layers: Layer[] = [
    {
      data: { values: [{ pub: domain[0], pred: domain[0] }, { pub: domain[1], pred: domain[1] }] },
      mark: { type: 'line', color: '#777777', strokeDash: [5, 4], strokeWidth: 1.25 },
      encoding: { x, y },
    },
  ];
  if (bars.length > 0) {
    layers.push({
      data: { values: bars },
      mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.8 },
      encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y, color: useColor() },
    });
  }
  layers.push({
    data: { values: points },
    mark: { type: 'point', filled: true, size: 70, opacity: 0.95, stroke: '#ffffff', strokeWidth: 0.5 },
    encoding: { x, y, color: useColor(), shape: statusShape() },
  });
  // Labels go right of their point, or left of it in the right third of the plot (away from the legend).
  const pos = (v: number): number => (log ? (Math.log(v) - Math.log(domain[0])) / (Math.log(domain[1]) - Math.log(domain[0])) : (v - domain[0]) / (domain[1] - domain[0]));
  for (const [side, rows] of [
    ['left', labels.filter((p) => pos(p.pub as number) <= 0.65)],
    ['right', labels.filter((p) => pos(p.pub as number) > 0.65)],
  ] as const) {
    if (rows.length === 0) continue;
    layers.push({
      data: { values: rows },
      mark: { type: 'text', align: side, dx: side === 'left' ? 7 : -7, dy: -6, fontSize: 10, color: '#333333' },
      encoding: { x, y, text: { field: 'id' } },
    });
  }
  const subtitle = [
    `${rs.length} targets; dashed line: predicted = published; bars: published uncertainty (CI, ±1 SD, ±1.96 SE or ×/÷ GSD)`,
    ...(log ? ['Log axes'] : []),
  ];
  return { title: { text: title, subtitle }, width: 520, height: 420, layer: layers } as unknown as ChartSpec;
}

function hoursPer(unit: 'min' | 'h' | 'd' | undefined): number {
  return unit === 'min' ? 1 / 60 : unit === 'd' ? 24 : 1;
}

function padLinear(lo: number, hi: number): [number, number] {
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - 0.08 * span, hi + 0.08 * span];
}

/** The interval of predictions the tolerance accepts (hull of its criteria), as multiples of the published value. */
export function toleranceRatioInterval(r: TargetResult): [number, number] | undefined {
  const p = r.published;
  const t = r.tolerance;
  if (!(p.value > 0)) return undefined;
  const ivs: [number, number][] = [];
  if (t.relative !== undefined) ivs.push([1 - t.relative, 1 + t.relative]);
  if (t.absolute !== undefined) ivs.push([(p.value - t.absolute) / p.value, (p.value + t.absolute) / p.value]);
  if (t.factor !== undefined) ivs.push([1 / t.factor, t.factor]);
  if (t.within !== undefined) {
    const k = t.k;
    let lo: number | undefined;
    let hi: number | undefined;
    if (t.within === 'ci' && p.ci !== undefined) [lo, hi] = [p.ci[0], p.ci[1]];
    else if (t.within === 'sd' && p.sd !== undefined) [lo, hi] = [p.value - (k ?? 1) * p.sd, p.value + (k ?? 1) * p.sd];
    else if (t.within === 'se' && p.se !== undefined) [lo, hi] = [p.value - (k ?? 1.96) * p.se, p.value + (k ?? 1.96) * p.se];
    else if (t.within === 'gsd' && p.gsd !== undefined) [lo, hi] = [p.value / p.gsd ** (k ?? 1), p.value * p.gsd ** (k ?? 1)];
    if (lo !== undefined && hi !== undefined) ivs.push([lo / p.value, hi / p.value]);
  }
  if (ivs.length === 0) return undefined;
  return [Math.min(...ivs.map((i) => i[0])), Math.max(...ivs.map((i) => i[1]))];
}

/**
 * Predicted / published for every target with positive values, one row per target (log axis): the grey bar is
 * what the tolerance accepts, the point the model. Misses stand out as points outside their bars.
 */
export function ratioChart(results: readonly TargetResult[], title = 'Predicted / published, with each target\u2019s tolerance'): ChartSpec | undefined {
  const rs = plottable(results).filter((r) => r.predicted > 0 && r.published.value > 0);
  if (rs.length === 0) return undefined;
  const order = rs.map((r) => r.id);
  const points: Row[] = rs.map((r) => ({ id: r.id, ratio: r.predicted / r.published.value, use: r.use, status: statusLabel(r) }));
  const bars: Row[] = rs.flatMap((r) => {
    const iv = toleranceRatioInterval(r);
    // A lower end at or below 0 (e.g. mean − 1 SD < 0) cannot be drawn on a log axis: cut at 0.1.
    return iv === undefined ? [] : [{ id: r.id, lo: Math.max(iv[0], 0.1), hi: iv[1] }];
  });
  const all = [...points.map((p) => p.ratio as number), ...bars.flatMap((b) => [b.lo as number, b.hi as number])];
  const domain = [Math.min(0.5, ...all) / 1.15, Math.max(2, ...all) * 1.15];
  const xScale = { type: 'log', domain, nice: false };
  const y = { field: 'id', type: 'nominal', title: null, sort: order, axis: { labelFontSize: 11 } };
  const layers: Layer[] = [
    {
      data: { values: bars },
      mark: { type: 'bar', color: '#bdbdbd', opacity: 0.6, height: { band: 0.55 } },
      encoding: { x: { field: 'lo', type: 'quantitative', scale: xScale, title: 'Predicted / published' }, x2: { field: 'hi' }, y },
    },
    {
      data: { values: [{ x: 1 }] },
      mark: { type: 'rule', color: '#555555', strokeDash: [4, 3] },
      encoding: { x: { field: 'x', type: 'quantitative', scale: xScale } },
    },
    {
      data: { values: points },
      mark: { type: 'point', filled: true, size: 60, opacity: 0.95 },
      encoding: { x: { field: 'ratio', type: 'quantitative', scale: xScale }, y, color: useColor(), shape: statusShape() },
    },
  ];
  return {
    title: { text: title, subtitle: ['Grey bar: predictions the tolerance accepts; dashed line: predicted = published; log axis'] },
    width: 520,
    height: Math.max(160, 18 * rs.length),
    layer: layers,
  } as unknown as ChartSpec;
}

/**
 * The simulated curve of a concentration target (typical subject or population mean) with the published value:
 * a point with its uncertainty bar at the time it refers to (value: at_h; Cmax: at the model's Tmax), a dashed
 * vertical line for a published Tmax, a shaded window for an AUC.
 */
export function curveChart(r: TargetResult): ChartSpec | undefined {
  const c = r.curve;
  if (c === undefined || c.timesH.length === 0) return undefined;
  const m = r.metric;
  const pub = r.published;
  const iv = publishedInterval(pub);
  let xEnd = c.timesH[c.timesH.length - 1] as number;
  const layers: Layer[] = [];
  const marks: Row[] = [];
  const t0 = c.doses[0]?.timeH ?? 0;
  if (m.type === 'cmax' || m.type === 'tmax') {
    const from = m.from_h ?? -Infinity;
    const to = m.to_h ?? Infinity;
    let best = -1;
    c.timesH.forEach((t, i) => {
      if (t >= from && t <= to && (best < 0 || (c.values[i] as number) > (c.values[best] as number))) best = i;
    });
    const tPeak = c.timesH[Math.max(best, 0)] as number;
    const pubTmaxH = m.type === 'tmax' ? pub.value * hoursPer(m.time_unit) : 0;
    xEnd = Math.min(xEnd, Math.max(t0 + 8, tPeak * 4, pubTmaxH * 3));
    if (m.type === 'cmax') marks.push({ x: tPeak, y: pub.value, lo: iv?.lower ?? pub.value, hi: iv?.upper ?? pub.value, label: 'published' });
  } else if (m.type === 'value') {
    xEnd = Math.min(xEnd, Math.max(t0 + 8, m.at_h * 2));
    marks.push({ x: m.at_h, y: pub.value, lo: iv?.lower ?? pub.value, hi: iv?.upper ?? pub.value, label: 'published' });
  } else if (m.type === 'auc') {
    xEnd = Math.min(xEnd, Math.max(t0 + 8, (m.to_h ?? xEnd) * 1.25));
  }
  const points: Row[] = [];
  c.timesH.forEach((t, i) => {
    if (t <= xEnd) points.push({ x: t, y: c.values[i] as number });
  });
  const x = { field: 'x', type: 'quantitative', title: 'Time (h)', scale: { domain: [0, xEnd], nice: false } };
  const yTitle = `${c.output} (${c.unit})`;
  if (m.type === 'auc') {
    layers.push({
      data: { values: [{ x: m.from_h ?? 0, x2: Math.min(m.to_h ?? xEnd, xEnd) }] },
      mark: { type: 'rect', color: '#9a9a9a', opacity: 0.2 },
      encoding: { x: { field: 'x', type: 'quantitative' }, x2: { field: 'x2' } },
    });
  }
  layers.push({
    data: { values: points },
    mark: { type: 'line', color: PALETTE[0] ?? '#0072B2', strokeWidth: 2 },
    encoding: { x, y: { field: 'y', type: 'quantitative', title: yTitle } },
  });
  if (marks.length > 0) {
    layers.push({
      data: { values: marks },
      mark: { type: 'rule', color: PALETTE[1] ?? '#D55E00', strokeWidth: 2 },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
    });
    layers.push({
      data: { values: marks },
      mark: { type: 'point', filled: true, size: 80, color: PALETTE[1] ?? '#D55E00' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    });
  }
  if (m.type === 'tmax') {
    const pubT = pub.value * hoursPer(m.time_unit);
    layers.push({
      data: { values: [{ x: pubT }] },
      mark: { type: 'rule', color: PALETTE[1] ?? '#D55E00', strokeDash: [6, 4], strokeWidth: 2 },
      encoding: { x: { field: 'x', type: 'quantitative' } },
    });
  }
  const what =
    m.type === 'cmax'
      ? 'Point: published Cmax (drawn at the model\u2019s Tmax), bar: its uncertainty'
      : m.type === 'tmax'
        ? 'Dashed line: published Tmax'
        : m.type === 'value'
          ? 'Point: published value, bar: its uncertainty'
          : m.type === 'auc'
            ? 'Shaded: the AUC window'
            : '';
  const who = r.details.subjects !== undefined ? `population mean of ${r.details.subjects} subjects` : 'typical subject';
  const numbers = `Published ${publishedText(pub)}, predicted ${num(r.predicted)} ${r.unit} (${STATUS_TEXT[r.status]})`;
  return {
    title: { text: `${r.id}: ${r.description}`, subtitle: [`Line: model (${who}). ${what}`.trim(), numbers] },
    width: 520,
    height: 260,
    layer: layers,
  } as unknown as ChartSpec;
}
