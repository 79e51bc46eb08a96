/**
 * Chart builders: plain data in, a Vega-Lite specification out (render it with renderSvg). Pure functions,
 * no I/O; all data is embedded inline in the spec, so nothing is ever loaded from a URL.
 *
 * Every quantitative axis takes a label and a unit and shows "label (unit)". Long line, band and step series
 * are thinned with min/max-preserving decimation (see decimate.ts: first/last points and every bucket's
 * extremes are kept, so peaks are never lost); scattered observations are never thinned. On a log scale,
 * values ≤ 0 cannot be drawn: they are left out and the chart's subtitle says how many.
 */

import type { TopLevelSpec } from 'vega-lite';
import { DEFAULT_MAX_POINTS, decimate } from './decimate.js';
import { DEFAULT_HEIGHT, DEFAULT_WIDTH, SHADE_PALETTE } from './theme.js';

/** A Vega-Lite specification, as built by the chart builders and taken by renderSvg. */
export type ChartSpec = TopLevelSpec;

/** A quantitative axis: what is plotted and its unit (use '' for a dimensionless quantity, e.g. a score). */
export interface Axis {
  readonly label: string;
  readonly unit: string;
}

export interface XY {
  readonly x: number;
  readonly y: number;
}

/** An interval at x (percentile band, confidence or prediction interval). */
export interface Interval {
  readonly x: number;
  readonly lower: number;
  readonly upper: number;
}

/** A named line. */
export interface Series {
  readonly name: string;
  readonly points: readonly XY[];
}

/** A dashed reference line across the plot, horizontal at `y` (e.g. "SBP 180 mmHg") or vertical at `x`. */
export type ReferenceLine = { readonly y: number; readonly label: string } | { readonly x: number; readonly label: string };

/** A shaded x range under the data (e.g. an infusion); bands sharing a label share one legend entry. */
export interface ShadedBand {
  readonly xFrom: number;
  readonly xTo: number;
  readonly label: string;
}

/** Options shared by the x–y charts. */
export interface XYChartOptions {
  readonly title: string;
  /** A line under the title (e.g. the regimen). */
  readonly subtitle?: string;
  readonly x: Axis;
  readonly y: Axis;
  readonly yScale?: 'linear' | 'log';
  /** Fixed y range; by default the range covers the data (and 0, on a linear scale). */
  readonly yDomain?: readonly [number, number];
  /** Fixed x range; by default the range covers the data. */
  readonly xDomain?: readonly [number, number];
  readonly referenceLines?: readonly ReferenceLine[];
  readonly shadedBands?: readonly ShadedBand[];
  /** Plot-area size in pixels (default 600 × 340). */
  readonly width?: number;
  readonly height?: number;
  /** Most points drawn per line or band after decimation (default 2000). */
  readonly maxPoints?: number;
}

export interface LineChartOptions extends XYChartOptions {
  readonly series: readonly Series[];
}

/** One group of a band chart: a median (or mean) line and its bands, drawn in the group's colour. */
export interface BandGroup {
  readonly name: string;
  readonly median?: readonly XY[];
  /** Bands from outermost (e.g. "5–95%") to innermost (e.g. "25–75%"); the labels form a legend. */
  readonly bands: readonly { readonly label: string; readonly points: readonly Interval[] }[];
}

export interface BandChartOptions extends XYChartOptions {
  readonly groups: readonly BandGroup[];
}

/** A Kaplan–Meier-style curve: the value after each step, optional censoring times and a confidence band. */
export interface StepCurve {
  readonly name: string;
  /** (time, value) at the start of each step; the value holds until the next point (step-after). */
  readonly points: readonly XY[];
  /** Times of censored observations, marked with a tick on the curve. */
  readonly censored?: readonly number[];
  /** Confidence band, drawn as steps too. */
  readonly ci?: readonly Interval[];
}

export interface StepChartOptions extends XYChartOptions {
  readonly curves: readonly StepCurve[];
}

/** One bar: an estimate with an optional interval, in a category, optionally in a group (e.g. an arm). */
export interface Bar {
  readonly category: string;
  readonly group?: string;
  readonly estimate: number;
  readonly lower?: number;
  readonly upper?: number;
}

export interface BarChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  /** Title of the category axis (e.g. "Arm", "Target"). */
  readonly category: { readonly label: string };
  readonly y: Axis;
  readonly bars: readonly Bar[];
  /** What the error bars show, e.g. "95% CI" (added to the subtitle). */
  readonly intervalLabel?: string;
  readonly yDomain?: readonly [number, number];
  /** Horizontal reference lines (e.g. a target value). */
  readonly referenceLines?: readonly { readonly y: number; readonly label: string }[];
  readonly width?: number;
  readonly height?: number;
}

export interface ScatterWithLineOptions extends XYChartOptions {
  /** Observed data, drawn as points (never decimated). */
  readonly observed: readonly Series[];
  /** Fitted or predicted lines. */
  readonly fitted: readonly Series[];
  /** Prediction or forecast bands. */
  readonly bands?: readonly { readonly name: string; readonly points: readonly Interval[] }[];
}

// ---------------------------------------------------------------------------------------------------------

type Layer = Record<string, unknown>;
type Row = Record<string, number | string>;

/** "label (unit)", or the label alone for a dimensionless quantity. */
export function axisTitle(axis: Axis): string {
  requireText(axis.label, 'axis label');
  const unit = axis.unit.trim();
  return unit ? `${axis.label} (${unit})` : axis.label;
}

function requireText(text: string, what: string): void {
  if (typeof text !== 'string' || text.trim() === '') throw new TypeError(`chart: ${what} must be a non-empty string`);
}

function requireUnique(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    requireText(name, `${what} name`);
    if (seen.has(name)) throw new Error(`chart: two ${what}s are named '${name}'; names must be unique`);
    seen.add(name);
  }
}

function uniqueInOrder(names: readonly string[]): string[] {
  return [...new Set(names)];
}

/** Builds the data rows for one chart, dropping what a log scale cannot show and counting it. */
class RowBuilder {
  dropped = 0;
  constructor(
    private readonly log: boolean,
    private readonly maxPoints: number,
  ) {
    if (!(maxPoints >= 4)) throw new RangeError(`chart: maxPoints must be at least 4, got ${maxPoints}`);
  }

  private positive<T>(points: readonly T[], values: (p: T) => number[]): readonly T[] {
    if (!this.log) return points;
    const kept = points.filter((p) => values(p).every((v) => v > 0 || Number.isNaN(v)));
    this.dropped += points.length - kept.length;
    return kept;
  }

  line(name: string, points: readonly XY[]): Row[] {
    const pts = decimate(this.positive(points, (p) => [p.y]), this.maxPoints, (p) => p.x, [(p) => p.y]);
    return pts.map((p) => ({ s: name, x: p.x, y: p.y }));
  }

  band(name: string, label: string, points: readonly Interval[]): Row[] {
    const pts = decimate(
      this.positive(points, (p) => [p.lower, p.upper]),
      this.maxPoints,
      (p) => p.x,
      [(p) => p.lower, (p) => p.upper],
    );
    return pts.map((p) => ({ s: name, b: label, x: p.x, lo: p.lower, hi: p.upper }));
  }

  scatter(name: string, points: readonly XY[]): Row[] {
    const pts = this.positive(points, (p) => [p.y]).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    return pts.map((p) => ({ s: name, x: p.x, y: p.y }));
  }

  note(): string[] {
    if (this.dropped === 0) return [];
    return [`${this.dropped} value${this.dropped === 1 ? '' : 's'} ≤ 0 not shown (log scale)`];
  }
}

function xEncoding(opts: XYChartOptions): Layer {
  return {
    field: 'x',
    type: 'quantitative',
    title: axisTitle(opts.x),
    axis: { tickCount: Math.max(2, Math.round((opts.width ?? DEFAULT_WIDTH) / 75)) },
    scale: opts.xDomain ? { domain: [...opts.xDomain], nice: false, zero: false } : { nice: false, zero: false },
  };
}

function yEncoding(opts: XYChartOptions, field = 'y'): Layer {
  const scale: Layer = opts.yScale === 'log' ? { type: 'log' } : {};
  if (opts.yDomain) scale.domain = [...opts.yDomain];
  return { field, type: 'quantitative', title: axisTitle(opts.y), scale };
}

function colorEncoding(domain: readonly string[], symbolType: 'stroke' | 'circle' | 'square' = 'stroke'): Layer {
  // Every layer using the colour scale must declare the same legend, or Vega-Lite drops the legend.
  return { field: 's', type: 'nominal', scale: { domain: [...domain] }, legend: { title: null, symbolType, symbolOpacity: 1 } };
}

function shadedBandLayer(bands: readonly ShadedBand[] | undefined): Layer[] {
  if (!bands || bands.length === 0) return [];
  const values: Row[] = [];
  for (const band of bands) {
    requireText(band.label, 'shaded band label');
    if (!Number.isFinite(band.xFrom) || !Number.isFinite(band.xTo))
      throw new RangeError(`chart: shaded band '${band.label}' needs finite xFrom and xTo`);
    values.push({ x: Math.min(band.xFrom, band.xTo), x2: Math.max(band.xFrom, band.xTo), b: band.label });
  }
  const labels = uniqueInOrder(values.map((v) => v.b as string));
  return [
    {
      data: { values },
      mark: { type: 'rect', opacity: 0.22, clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative' },
        x2: { field: 'x2' },
        fill: {
          field: 'b',
          type: 'nominal',
          scale: { domain: labels, range: SHADE_PALETTE.slice(0, Math.max(1, labels.length)) },
          legend: { title: null, symbolType: 'square', symbolOpacity: 0.35 },
        },
      },
    },
  ];
}

function referenceLineLayers(lines: readonly ReferenceLine[] | undefined, log: boolean): Layer[] {
  if (!lines || lines.length === 0) return [];
  const horizontal: Row[] = [];
  const vertical: Row[] = [];
  for (const line of lines) {
    requireText(line.label, 'reference line label');
    if ('y' in line) {
      if (!Number.isFinite(line.y) || (log && line.y <= 0))
        throw new RangeError(`chart: reference line '${line.label}' has y = ${line.y}, which cannot be drawn`);
      horizontal.push({ y: line.y, label: line.label });
    } else {
      if (!Number.isFinite(line.x)) throw new RangeError(`chart: reference line '${line.label}' needs a finite x`);
      vertical.push({ x: line.x, label: line.label });
    }
  }
  const rule = { type: 'rule', color: '#444444', strokeDash: [6, 4], strokeWidth: 1.25, clip: true };
  const text = { type: 'text', color: '#222222', fontSize: 11, clip: true };
  const layers: Layer[] = [];
  if (horizontal.length > 0) {
    layers.push({ data: { values: horizontal }, mark: rule, encoding: { y: { field: 'y', type: 'quantitative' } } });
    layers.push({
      data: { values: horizontal },
      mark: { ...text, align: 'right', baseline: 'bottom', dx: -4, dy: -3 },
      encoding: { y: { field: 'y', type: 'quantitative' }, x: { value: 'width' }, text: { field: 'label' } },
    });
  }
  if (vertical.length > 0) {
    layers.push({ data: { values: vertical }, mark: rule, encoding: { x: { field: 'x', type: 'quantitative' } } });
    layers.push({
      data: { values: vertical },
      mark: { ...text, align: 'left', baseline: 'top', dx: 4, dy: 4 },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
    });
  }
  return layers;
}

function assemble(
  opts: {
    title: string;
    subtitle?: string;
    width?: number;
    height?: number;
    xDomain?: readonly [number, number];
    yDomain?: readonly [number, number];
  },
  notes: readonly string[],
  layers: Layer[],
): ChartSpec {
  requireText(opts.title, 'title');
  // Marks are clipped to the plot only when a fixed domain can leave data outside it (clipping would
  // otherwise cut points on the edges in half).
  const clip = Boolean(opts.xDomain ?? opts.yDomain);
  for (const layer of layers) {
    const mark = layer.mark as Layer;
    if ('clip' in mark) mark.clip = clip;
  }
  // With no data at all, give the axes a unit range rather than an empty (infinite) extent.
  const empty = layers.every((l) => ((l.data as { values: unknown[] } | undefined)?.values.length ?? 0) === 0);
  if (empty)
    for (const layer of layers)
      for (const channel of ['x', 'y']) {
        const scale = ((layer.encoding as Layer | undefined)?.[channel] as Layer | undefined)?.scale as Layer | undefined;
        if (scale && scale.domain === undefined) scale.domain = scale.type === 'log' ? [1, 10] : [0, 1];
      }
  const subtitle = [...(opts.subtitle ? [opts.subtitle] : []), ...notes];
  const spec: Layer = {
    title: subtitle.length > 0 ? { text: opts.title, subtitle } : { text: opts.title },
    description: opts.title,
    width: opts.width ?? DEFAULT_WIDTH,
    height: opts.height ?? DEFAULT_HEIGHT,
    layer: layers,
    resolve: { scale: { fill: 'independent' }, legend: { fill: 'independent' } },
  };
  return spec as unknown as ChartSpec;
}

// ---------------------------------------------------------------------------------------------------------

/** Named lines (e.g. concentration–time curves), with optional reference lines and shaded x ranges. */
export function lineChart(opts: LineChartOptions): ChartSpec {
  requireUnique(
    opts.series.map((s) => s.name),
    'series',
  );
  const rows = new RowBuilder(opts.yScale === 'log', opts.maxPoints ?? DEFAULT_MAX_POINTS);
  const values = opts.series.flatMap((s) => rows.line(s.name, s.points));
  const names = opts.series.map((s) => s.name);
  return assemble(opts, rows.note(), [
    ...shadedBandLayer(opts.shadedBands),
    {
      data: { values },
      mark: { type: 'line', clip: true },
      encoding: { x: xEncoding(opts), y: yEncoding(opts), color: colorEncoding(names) },
    },
    ...referenceLineLayers(opts.referenceLines, opts.yScale === 'log'),
  ]);
}

/**
 * Median (or mean) lines with shaded bands per group (e.g. 5–95% and 25–75% percentiles of a virtual
 * population, per arm). Groups are told apart by colour, bands by opacity (outer lighter); both have a legend.
 */
export function bandChart(opts: BandChartOptions): ChartSpec {
  requireUnique(
    opts.groups.map((g) => g.name),
    'group',
  );
  const rows = new RowBuilder(opts.yScale === 'log', opts.maxPoints ?? DEFAULT_MAX_POINTS);
  const names = opts.groups.map((g) => g.name);
  const bandLabels = uniqueInOrder(opts.groups.flatMap((g) => g.bands.map((b) => b.label)));
  bandLabels.forEach((l) => requireText(l, 'band label'));
  const bandValues = opts.groups.flatMap((g) => g.bands.flatMap((b) => rows.band(g.name, b.label, b.points)));
  const lineValues = opts.groups.flatMap((g) => (g.median ? rows.line(g.name, g.median) : []));
  const step = bandLabels.length > 1 ? 0.2 / (bandLabels.length - 1) : 0;
  // One band: a two-value range (vega renders an ordinal opacity scale with a one-value range as NaN).
  const opacities = bandLabels.length === 1 ? [0.25, 0.25] : bandLabels.map((_, i) => 0.18 + i * step);
  const layers: Layer[] = [...shadedBandLayer(opts.shadedBands)];
  if (bandValues.length > 0)
    layers.push({
      data: { values: bandValues },
      mark: { type: 'area', clip: true },
      encoding: {
        x: xEncoding(opts),
        y: yEncoding(opts, 'lo'),
        y2: { field: 'hi' },
        color: colorEncoding(names),
        opacity: {
          field: 'b',
          type: 'ordinal',
          scale: { domain: bandLabels, range: opacities },
          legend: { title: 'Band', symbolType: 'square', symbolFillColor: '#555555', symbolStrokeWidth: 0 },
        },
      },
    });
  if (lineValues.length > 0)
    layers.push({
      data: { values: lineValues },
      mark: { type: 'line', clip: true },
      encoding: { x: xEncoding(opts), y: yEncoding(opts), color: colorEncoding(names) },
    });
  layers.push(...referenceLineLayers(opts.referenceLines, opts.yScale === 'log'));
  return assemble(opts, rows.note(), layers);
}

/** The value of a step-after curve at time t (sorted points); NaN before the first point. */
function stepValueAt(points: readonly XY[], t: number): number {
  let value = Number.NaN;
  for (const p of points) {
    if (p.x > t) break;
    value = p.y;
  }
  return value;
}

/** Kaplan–Meier-style step curves with optional censoring ticks and confidence bands. */
export function stepChart(opts: StepChartOptions): ChartSpec {
  requireUnique(
    opts.curves.map((c) => c.name),
    'curve',
  );
  const rows = new RowBuilder(opts.yScale === 'log', opts.maxPoints ?? DEFAULT_MAX_POINTS);
  const names = opts.curves.map((c) => c.name);
  const byX = <T extends { x: number }>(pts: readonly T[]): T[] => [...pts].sort((a, b) => a.x - b.x);
  const curveValues = opts.curves.flatMap((c) => rows.line(c.name, byX(c.points)));
  const ciValues = opts.curves.flatMap((c) => (c.ci ? rows.band(c.name, 'CI', byX(c.ci)) : []));
  const censorValues = opts.curves.flatMap((c) => {
    const sorted = byX(c.points);
    return rows.scatter(
      c.name,
      (c.censored ?? []).map((t) => ({ x: t, y: stepValueAt(sorted, t) })),
    );
  });
  const layers: Layer[] = [...shadedBandLayer(opts.shadedBands)];
  if (ciValues.length > 0)
    layers.push({
      data: { values: ciValues },
      mark: { type: 'area', interpolate: 'step-after', opacity: 0.2, clip: true },
      encoding: { x: xEncoding(opts), y: yEncoding(opts, 'lo'), y2: { field: 'hi' }, color: colorEncoding(names) },
    });
  layers.push({
    data: { values: curveValues },
    mark: { type: 'line', interpolate: 'step-after', clip: true },
    encoding: { x: xEncoding(opts), y: yEncoding(opts), color: colorEncoding(names) },
  });
  if (censorValues.length > 0)
    layers.push({
      data: { values: censorValues },
      mark: { type: 'point', shape: 'M0,-1L0,1', size: 80, strokeWidth: 1.5, filled: false, opacity: 1, clip: true },
      encoding: { x: xEncoding(opts), y: yEncoding(opts), color: colorEncoding(names) },
    });
  layers.push(...referenceLineLayers(opts.referenceLines, opts.yScale === 'log'));
  const notes = [
    ...(censorValues.length > 0 ? ['Ticks mark censored observations'] : []),
    ...(ciValues.length > 0 ? ['Shaded: confidence band'] : []),
    ...rows.note(),
  ];
  return assemble(opts, notes, layers);
}

/** Bars with error bars (estimate and interval), grouped by colour when bars have a group. */
export function barChart(opts: BarChartOptions): ChartSpec {
  requireText(opts.category.label, 'category label');
  const grouped = opts.bars.some((b) => b.group !== undefined);
  const categories = uniqueInOrder(opts.bars.map((b) => b.category));
  const groups = uniqueInOrder(opts.bars.map((b) => b.group ?? ''));
  const seen = new Set<string>();
  const values: Row[] = [];
  for (const bar of opts.bars) {
    requireText(bar.category, 'bar category');
    if (grouped) requireText(bar.group ?? '', `group of bar '${bar.category}' (all bars or none have a group)`);
    const key = JSON.stringify([bar.category, bar.group ?? '']);
    if (seen.has(key)) throw new Error(`chart: two bars for category '${bar.category}'${grouped ? `, group '${bar.group}'` : ''}`);
    seen.add(key);
    if (!Number.isFinite(bar.estimate)) throw new RangeError(`chart: bar '${bar.category}' has estimate ${bar.estimate}`);
    const row: Row = { c: bar.category, s: bar.group ?? '', y: bar.estimate };
    if (bar.lower !== undefined && bar.upper !== undefined && Number.isFinite(bar.lower) && Number.isFinite(bar.upper)) {
      row.lo = Math.min(bar.lower, bar.upper);
      row.hi = Math.max(bar.lower, bar.upper);
    }
    values.push(row);
  }
  const yScale: Layer = opts.yDomain ? { domain: [...opts.yDomain] } : {};
  const x = { field: 'c', type: 'nominal', title: opts.category.label, sort: categories, axis: { labelAngle: 0 } };
  const offset = grouped ? { xOffset: { field: 's', type: 'nominal', sort: groups } } : {};
  const color = grouped
    ? { color: { field: 's', type: 'nominal', scale: { domain: groups }, legend: { title: null } } }
    : { color: { value: '#0072B2' } };
  const withInterval = values.filter((v) => v.lo !== undefined);
  const layers: Layer[] = [
    {
      data: { values },
      mark: { type: 'bar', opacity: 0.85, clip: true },
      encoding: { x, y: { field: 'y', type: 'quantitative', title: axisTitle(opts.y), scale: yScale }, ...offset, ...color },
    },
  ];
  if (withInterval.length > 0) {
    layers.push({
      data: { values: withInterval },
      mark: { type: 'rule', color: '#222222', strokeWidth: 1.5, clip: true },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, ...offset },
    });
    for (const end of ['lo', 'hi'])
      layers.push({
        data: { values: withInterval },
        mark: { type: 'tick', color: '#222222', thickness: 1.5, size: 10, orient: 'horizontal', clip: true },
        encoding: { x, y: { field: end, type: 'quantitative' }, ...offset },
      });
  }
  layers.push(...referenceLineLayers(opts.referenceLines, false));
  const notes = opts.intervalLabel && withInterval.length > 0 ? [`Error bars: ${opts.intervalLabel}`] : [];
  return assemble(opts, notes, layers);
}

/**
 * Observed points over fitted or predicted lines, with optional prediction bands (e.g. a patient's data and
 * the individual fit with its forecast). A name used by a point set, a line and a band gets one colour.
 */
export function scatterWithLine(opts: ScatterWithLineOptions): ChartSpec {
  requireUnique(
    opts.observed.map((s) => s.name),
    'observed series',
  );
  requireUnique(
    opts.fitted.map((s) => s.name),
    'fitted series',
  );
  requireUnique(
    (opts.bands ?? []).map((b) => b.name),
    'band',
  );
  const rows = new RowBuilder(opts.yScale === 'log', opts.maxPoints ?? DEFAULT_MAX_POINTS);
  const names = uniqueInOrder([
    ...opts.observed.map((s) => s.name),
    ...opts.fitted.map((s) => s.name),
    ...(opts.bands ?? []).map((b) => b.name),
  ]);
  const bandValues = (opts.bands ?? []).flatMap((b) => rows.band(b.name, b.name, b.points));
  const lineValues = opts.fitted.flatMap((s) => rows.line(s.name, s.points));
  const pointValues = opts.observed.flatMap((s) => rows.scatter(s.name, s.points));
  const layers: Layer[] = [...shadedBandLayer(opts.shadedBands)];
  if (bandValues.length > 0)
    layers.push({
      data: { values: bandValues },
      mark: { type: 'area', opacity: 0.2, clip: true },
      encoding: { x: xEncoding(opts), y: yEncoding(opts, 'lo'), y2: { field: 'hi' }, color: colorEncoding(names, 'circle') },
    });
  if (lineValues.length > 0)
    layers.push({
      data: { values: lineValues },
      mark: { type: 'line', clip: true },
      encoding: { x: xEncoding(opts), y: yEncoding(opts), color: colorEncoding(names, 'circle') },
    });
  // (an empty points layer makes Vega warn about an infinite extent; kept only when there is nothing else to draw)
  if (pointValues.length > 0 || (bandValues.length === 0 && lineValues.length === 0))
    layers.push({
      data: { values: pointValues },
      mark: { type: 'point', filled: true, opacity: 0.9, stroke: '#ffffff', strokeWidth: 0.75, clip: true },
      encoding: { x: xEncoding(opts), y: yEncoding(opts), color: colorEncoding(names, 'circle') },
    });
  layers.push(...referenceLineLayers(opts.referenceLines, opts.yScale === 'log'));
  const notes = [
    ...(pointValues.length > 0 && lineValues.length > 0 ? ['Points: observed; lines: fitted'] : []),
    ...rows.note(),
  ];
  return assemble(opts, notes, layers);
}
