/**
 * ketasim reports: SVG charts and self-contained HTML reports that open offline.
 *
 * Three steps: a chart builder turns data into a Vega-Lite spec (pure), renderSvg turns a spec into an SVG
 * string (headless Vega, no DOM, canvas or network; deterministic), and htmlReport puts text, SVG charts and
 * tables into one standalone HTML document with embedded CSS, a disclaimer box and a provenance footer.
 *
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { htmlReport, lineChart, renderSvg } from './report/index.js';
 *
 * const svg = await renderSvg(
 *   lineChart({
 *     title: 'Plasma ketamine',
 *     x: { label: 'Time', unit: 'h' },
 *     y: { label: 'Concentration', unit: 'ng/mL' },
 *     series: [{ name: 'CP', points: [{ x: 0, y: 0 }, { x: 0.67, y: 210 }, { x: 6, y: 25 }] }],
 *     shadedBands: [{ xFrom: 0, xTo: 0.67, label: 'Infusion' }],
 *   }),
 * );
 * const html = htmlReport({
 *   title: 'Ketamine 0.5 mg/kg IV over 40 min',
 *   disclaimer: 'Research and education software, not a medical device. Do not use it to make clinical decisions.',
 *   sections: [{ heading: 'Concentrations', charts: [svg] }],
 *   provenance: { Model: 'ketamine-iv-domino 0.1.0', ketasim: '0.1.0' },
 * });
 * writeFileSync('report.html', html);
 * ```
 */

export {
  axisTitle,
  bandChart,
  barChart,
  lineChart,
  scatterWithLine,
  stepChart,
  type Axis,
  type Bar,
  type BandChartOptions,
  type BandGroup,
  type BarChartOptions,
  type ChartSpec,
  type Interval,
  type LineChartOptions,
  type ReferenceLine,
  type ScatterWithLineOptions,
  type Series,
  type ShadedBand,
  type StepChartOptions,
  type StepCurve,
  type XY,
  type XYChartOptions,
} from './charts.js';
export { percentileChart, type PercentileBox, type PercentileChartOptions } from './percentile-chart.js';
export { decimate, DEFAULT_MAX_POINTS, type Accessor } from './decimate.js';
export { renderSvg, type RenderOptions } from './render.js';
export {
  assertSafeSvg,
  escapeHtml,
  formatCell,
  formatSignificant,
  htmlReport,
  type CellFormat,
  type Figure,
  type ReportOptions,
  type Section,
  type Table,
  type TableColumn,
} from './html.js';
export { FONT_FAMILY, PALETTE, VEGA_LITE_CONFIG } from './theme.js';
