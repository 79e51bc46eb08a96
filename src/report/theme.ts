/**
 * The report look: fonts, sizes and a colour-blind-safe palette, shared by the SVG charts and the HTML page.
 */

import type { Config } from 'vega-lite';

/** Font stack for charts and pages: the platform UI font, then common sans-serifs (no web fonts: offline). */
export const FONT_FAMILY = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif';

/**
 * Okabe–Ito palette (Okabe & Ito 2008), distinguishable under the common colour-vision deficiencies. Ordered
 * for lines on white: blue, vermillion, bluish green, orange, reddish purple, sky blue, black, and yellow
 * last (low contrast on white). With more than eight series the colours repeat.
 */
export const PALETTE: readonly string[] = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#E69F00',
  '#CC79A7',
  '#56B4E9',
  '#000000',
  '#F0E442',
];

/** Fills for shaded x ranges (e.g. infusion periods), drawn under the data with low opacity. */
export const SHADE_PALETTE: readonly string[] = ['#9a9a9a', '#E69F00', '#56B4E9', '#CC79A7'];

/** Default plot-area size in pixels (legends and axes add to it). */
export const DEFAULT_WIDTH = 600;
export const DEFAULT_HEIGHT = 340;

/** Vega-Lite configuration applied by renderSvg to every chart. */
export const VEGA_LITE_CONFIG: Config = {
  font: FONT_FAMILY,
  background: '#ffffff',
  padding: 8,
  view: { stroke: '#bdbdbd' },
  title: {
    fontSize: 16,
    fontWeight: 'bold',
    anchor: 'start',
    color: '#111111',
    subtitleFontSize: 12,
    subtitleColor: '#444444',
    offset: 10,
    limit: 0,
  },
  axis: {
    labelFontSize: 12,
    titleFontSize: 13,
    titleFontWeight: 'normal',
    titleColor: '#222222',
    labelColor: '#333333',
    gridColor: '#e8e8e8',
    domainColor: '#666666',
    tickColor: '#666666',
    titlePadding: 8,
    labelLimit: 0,
    titleLimit: 0,
  },
  legend: {
    labelFontSize: 12,
    titleFontSize: 12,
    titleFontWeight: 'bold',
    labelLimit: 0,
    titleLimit: 0,
    symbolStrokeWidth: 2.5,
    symbolSize: 140,
    rowPadding: 4,
  },
  range: { category: [...PALETTE] },
  line: { strokeWidth: 2 },
  point: { size: 50 },
};
