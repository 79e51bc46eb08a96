/**
 * Vega-Lite spec → SVG string, headless: vega-lite compiles the spec to Vega, and a Vega View with the
 * 'none' renderer writes SVG markup with View.toSVG(). Pure JavaScript (no DOM, no canvas, no browser) and no
 * network: a spec whose data has a url is refused, and the View's loader refuses every URL or file anyway, so
 * a chart can only show the data inlined in it. Errors that vega only logs fail the render.
 *
 * Output is deterministic (same spec → same string) so reports can be diffed:
 * - text widths come from a fixed table of Helvetica-like glyph widths, not from whatever canvas or fonts a
 *   machine has (vega's own fallback, 0.8 × font size per character, makes legends and titles far too wide);
 * - the ids that an SVG defines (clip paths, gradients) are renamed with a prefix derived from the SVG's own
 *   content: vega numbers them with process-wide counters (so the same chart rendered twice got different
 *   ids), and charts inlined in one HTML page must not share ids (`url(#clip1)` would point at the first
 *   chart's clip path).
 */

import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { ChartSpec } from './charts.js';
import { VEGA_LITE_CONFIG } from './theme.js';

export interface RenderOptions {
  /**
   * Called with each warning of the Vega-Lite compiler or the Vega runtime (e.g. an encoding it ignored).
   * Default: console.warn. Errors always reject the promise.
   */
  readonly onWarning?: (message: string) => void;
}

/** Render a chart spec (from the chart builders, or any Vega-Lite spec with inline data) to an SVG string. */
export async function renderSvg(spec: ChartSpec, options: RenderOptions = {}): Promise<string> {
  installTextMetrics();
  const warn = options.onWarning ?? ((message: string) => console.warn(`ketasim report: ${message}`));
  const errors: string[] = [];
  const logger = makeLogger(warn, errors);
  // Vega tags the data objects it ingests: compile a copy so that the caller's spec is left as it was.
  const { spec: vgSpec } = compile(structuredClone(spec), { config: VEGA_LITE_CONFIG, logger });
  for (const data of vgSpec.data ?? [])
    if ('url' in data && data.url !== undefined)
      throw new Error(`ketasim report: charts must carry their data inline (data '${data.name}' has a url)`);
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', loader: offlineLoader(), logger });
  try {
    vega.resetSVGDefIds();
    const svg = await view.toSVG();
    if (errors.length > 0) throw new Error(`ketasim report: ${errors.join('; ')}`);
    return uniquifyIds(svg);
  } finally {
    view.finalize();
  }
}

// ---------------------------------------------------------------------------------------------------------

/** A vega logger that passes warnings on and collects errors (vega reports some runtime errors only here). */
function makeLogger(warn: (message: string) => void, errors: string[]): vega.LoggerInterface {
  let level = vega.Warn;
  const text = (args: readonly unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  const logger: vega.LoggerInterface = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: readonly unknown[]) {
      errors.push(text(args));
      return logger;
    },
    warn(...args: readonly unknown[]) {
      if (level >= vega.Warn) warn(text(args));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  } as vega.LoggerInterface;
  return logger;
}

/** A Vega loader that loads nothing: charts carry their data inline, and reports must work offline. */
function offlineLoader(): vega.Loader {
  const loader = vega.loader();
  loader.sanitize = (uri: string) =>
    Promise.reject(new Error(`ketasim report: charts may not load external resources (asked for '${uri}')`));
  return loader;
}

// Text measurement ----------------------------------------------------------------------------------------

/** Advance widths of ASCII 32–126 in Helvetica, in 1/1000 em (Adobe's standard AFM metrics). */
const HELVETICA_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
  722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
  556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
  260, 334, 584,
];

/**
 * Width in pixels of `text` at `fontSize` px: Helvetica metrics plus 12% (bold: plus 20%), so that text still
 * fits in the wider common UI fonts (DejaVu Sans, Segoe UI, Roboto) that a reader's machine may substitute.
 */
export function estimateTextWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 32 && code <= 126) units += HELVETICA_WIDTHS[code - 32] ?? 556;
    else if (code >= 0x1100 && (code <= 0x115f || (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xff00 && code <= 0xff60)))
      units += 1000; // East Asian wide characters
    else units += 600;
  }
  return (units / 1000) * fontSize * (bold ? 1.2 : 1.12);
}

interface TextItem {
  readonly fontSize?: number | string;
  readonly fontWeight?: number | string;
  readonly text?: unknown;
}

interface TextMetrics {
  width: (item: TextItem, text?: unknown) => number;
  estimateWidth: (item: TextItem, text?: unknown) => number;
  ketasim?: boolean;
}

/**
 * Replace vega's crude no-canvas text-width estimate with the table above (only where vega has no canvas to
 * measure with, which is always the case in Node here). vega exposes textMetrics for this purpose; it is
 * missing from its type declarations.
 */
function installTextMetrics(): void {
  const metrics = (vega as unknown as { textMetrics?: TextMetrics }).textMetrics;
  if (!metrics || metrics.ketasim || metrics.width !== metrics.estimateWidth) return;
  const width = (item: TextItem, text?: unknown): number => {
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
    // No truncation here: the theme sets every text limit to 0 (never truncate).
    const value = text == null ? '' : String(text).trim();
    return estimateTextWidth(value, size, bold);
  };
  metrics.width = width;
  metrics.estimateWidth = width;
  metrics.ketasim = true;
}

// Ids -----------------------------------------------------------------------------------------------------

/** 32-bit FNV-1a hash of a string, as 8 hex digits. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Rename every id="…" in the SVG (and its url(#…) and href="#…" references) to k<hash>-<n>, n in order of
 * appearance and the hash taken over the SVG with its ids so numbered (independent of vega's id counters).
 */
function uniquifyIds(svg: string): string {
  const ids = [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1] as string);
  if (ids.length === 0) return svg;
  const renameAll = (prefix: string) => {
    const rename = new Map(ids.map((id, i) => [id, `${prefix}${i + 1}`]));
    const to = (id: string) => rename.get(id) ?? id;
    return svg
      .replace(/\sid="([^"]+)"/g, (_whole, id: string) => ` id="${to(id)}"`)
      .replace(/url\(#([^)]+)\)/g, (_whole, id: string) => `url(#${to(id)})`)
      .replace(/href="#([^"]+)"/g, (_whole, id: string) => `href="#${to(id)}"`);
  };
  return renameAll(`k${fnv1a(renameAll('k-'))}-`);
}
