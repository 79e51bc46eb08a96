/**
 * Self-contained HTML reports: one file with its CSS embedded and its charts inlined as SVG, that opens
 * offline and prints cleanly. Nothing in it is fetched: a Content-Security-Policy in the page forbids every
 * network load and every script, and htmlReport refuses chart markup that could run code or load a resource.
 *
 * All text (titles, paragraphs, table cells, captions, provenance) is HTML-escaped, so a model name or a file
 * name can never inject markup. Output is deterministic given `generatedAt`.
 */

import { FONT_FAMILY } from './theme.js';

/** How a table column formats numbers: significant digits, fixed decimals, or any function of the value. */
export type CellFormat = { readonly significant: number } | { readonly decimals: number } | ((value: unknown) => string);

export interface TableColumn {
  /** Property of each row shown in this column. */
  readonly key: string;
  readonly label: string;
  /** Shown under the label in the header, e.g. "ng/mL". */
  readonly unit?: string;
  /** Default: right for numeric columns (first non-empty value is a number), left otherwise. */
  readonly align?: 'left' | 'right' | 'center';
  /** Default for numbers: integers as they are, others to 4 significant digits, trailing zeros dropped. */
  readonly format?: CellFormat;
}

export interface Table {
  readonly caption: string;
  readonly columns: readonly TableColumn[];
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  /** A line under the table (e.g. abbreviations, what the intervals are). */
  readonly note?: string;
}

/** An SVG chart (from renderSvg) with an optional caption under it. */
export interface Figure {
  readonly svg: string;
  readonly caption?: string;
}

export interface Section {
  readonly heading: string;
  /** Plain text; blank lines separate paragraphs. */
  readonly text?: string;
  /** SVG strings from renderSvg, or figures with captions. */
  readonly charts?: readonly (string | Figure)[];
  readonly tables?: readonly Table[];
}

export interface ReportOptions {
  readonly title: string;
  readonly subtitle?: string;
  /** Shown in a box at the top of the report, e.g. "Research and education software, not a medical device…". */
  readonly disclaimer: string;
  readonly sections: readonly Section[];
  /** When the report was made; default: now. Pass a fixed value for reports that can be diffed. */
  readonly generatedAt?: Date | string;
  /** Shown in the footer in this order, e.g. { Model: 'ketamine-iv-domino 0.1.0', ketasim: '0.1.0', Command: '…' }. */
  readonly provenance?: Readonly<Record<string, string>>;
}

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// Numbers -------------------------------------------------------------------------------------------------

/**
 * `x` to `digits` significant digits, in plain notation (exponent notation only below 1e-4 or from 1e15);
 * digits left of the decimal point are never replaced by zeros or an exponent (123456 stays 123456).
 */
export function formatSignificant(x: number, digits: number): string {
  if (!Number.isFinite(x)) return formatNonFinite(x);
  if (!(digits >= 1 && digits <= 21)) throw new RangeError(`formatSignificant: digits must be 1–21, got ${digits}`);
  if (x === 0) return '0';
  const rounded = Number(x.toPrecision(digits));
  const exponent = Math.floor(Math.log10(Math.abs(rounded)));
  if (exponent < -4 || exponent >= 15) return rounded.toExponential(digits - 1);
  if (exponent >= digits - 1) return String(Math.round(x));
  return rounded.toFixed(digits - 1 - exponent);
}

function formatNonFinite(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  return x > 0 ? '∞' : '−∞';
}

/** The text of a table cell: numbers formatted, null/undefined empty, everything else as a string. */
export function formatCell(value: unknown, format?: CellFormat): string {
  if (typeof format === 'function') return format(value);
  if (value === null || value === undefined) return '';
  if (typeof value !== 'number') return String(value);
  if (!Number.isFinite(value)) return formatNonFinite(value);
  if (format && 'decimals' in format) return value.toFixed(format.decimals).replace(/^-(?=0(\.0*)?$)/, '');
  if (format && 'significant' in format) return formatSignificant(value, format.significant);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(Object.is(value, -0) ? 0 : value);
  const text = formatSignificant(value, 4);
  return text.includes('e') || !text.includes('.') ? text : text.replace(/\.?0+$/, '');
}

// Charts --------------------------------------------------------------------------------------------------

const FORBIDDEN_ELEMENTS = new Set(['script', 'foreignobject', 'iframe', 'object', 'embed', 'image', 'use', 'style', 'link', 'a']);

/**
 * Check that chart markup is one inert SVG element: no scripts, no event handlers, no foreign content, no
 * references other than to ids in the same SVG. Throws an Error saying what is wrong.
 */
export function assertSafeSvg(svg: string): void {
  const text = svg.trim();
  if (!text.startsWith('<svg') || !text.endsWith('</svg>')) throw new Error('htmlReport: a chart must be one <svg>…</svg> element (use renderSvg)');
  for (const tag of text.matchAll(/<\/?\s*([A-Za-z][^\s/>]*)([^>]*)>/g)) {
    const name = (tag[1] as string).toLowerCase();
    if (FORBIDDEN_ELEMENTS.has(name)) throw new Error(`htmlReport: chart SVG may not contain <${name}>`);
    for (const attr of (tag[2] as string).matchAll(/([^\s=]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/g)) {
      const attrName = (attr[1] as string).toLowerCase();
      const value = (attr[2] as string).replace(/^["']|["']$/g, '').trim();
      if (attrName.startsWith('on')) throw new Error(`htmlReport: chart SVG may not contain event handlers (${attrName})`);
      if ((attrName === 'href' || attrName.endsWith(':href') || attrName === 'src') && !value.startsWith('#'))
        throw new Error(`htmlReport: chart SVG may only link within itself (${attrName}="${value}")`);
      if (/url\(\s*['"]?(?!#)/i.test(value) || /javascript:/i.test(value))
        throw new Error(`htmlReport: chart SVG may not reference external resources (${attrName})`);
    }
  }
}

// Page ----------------------------------------------------------------------------------------------------

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: ${FONT_FAMILY}; color: #1a1a1a; background: #ffffff; line-height: 1.5; margin: 0 auto; max-width: 1000px; padding: 24px 28px 40px; font-size: 15px; }
header h1 { font-size: 1.7em; line-height: 1.25; margin: 0 0 4px; }
header .subtitle { font-size: 1.1em; color: #444; margin: 0 0 16px; }
.disclaimer { border: 2px solid #b35900; background: #fff4e5; color: #4a2500; border-radius: 6px; padding: 10px 14px; margin: 16px 0 20px; font-weight: 600; }
nav.contents { font-size: 0.95em; margin: 0 0 8px; }
nav.contents ol { margin: 4px 0; padding-left: 1.6em; }
nav.contents a { color: #0b5394; }
section { margin: 28px 0; }
h2 { font-size: 1.3em; border-bottom: 1px solid #d0d0d0; padding-bottom: 4px; margin: 0 0 12px; }
p { margin: 0 0 10px; max-width: 75ch; }
figure { margin: 16px 0 20px; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption, .table-note { font-size: 0.9em; color: #444; margin-top: 6px; max-width: 75ch; }
.table-wrap { overflow-x: auto; margin: 16px 0 20px; }
table { border-collapse: collapse; font-size: 0.92em; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 6px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e0e0e0; vertical-align: top; }
thead th { border-bottom: 2px solid #333; vertical-align: bottom; font-weight: 600; }
th .unit { display: block; font-weight: normal; color: #555; font-size: 0.9em; }
tbody tr:nth-child(even) { background: #f7f7f7; }
.left { text-align: left; } .right { text-align: right; } .center { text-align: center; }
footer { border-top: 1px solid #d0d0d0; margin-top: 36px; padding-top: 10px; font-size: 0.85em; color: #444; }
footer dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
footer dt { font-weight: 600; }
footer dd { margin: 0; overflow-wrap: anywhere; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav.contents { display: none; }
  section { break-before: auto; }
  figure, .table-wrap, .disclaimer { break-inside: avoid; }
  h2 { break-after: avoid; }
  .disclaimer, tbody tr:nth-child(even) { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .table-wrap { overflow: visible; }
  @page { margin: 15mm; }
}
`;

/** No network, no scripts, no plugins: the page can only use its own inline CSS and inline SVG. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('\n');
}

function figureHtml(chart: string | Figure): string {
  const fig = typeof chart === 'string' ? { svg: chart } : chart;
  assertSafeSvg(fig.svg);
  const caption = fig.caption ? `\n<figcaption>${escapeHtml(fig.caption)}</figcaption>` : '';
  return `<figure>\n${fig.svg.trim()}${caption}\n</figure>`;
}

function columnAlign(column: TableColumn, rows: Table['rows']): 'left' | 'right' | 'center' {
  if (column.align) return column.align;
  const first = rows.map((r) => r[column.key]).find((v) => v !== null && v !== undefined && v !== '');
  return typeof first === 'number' ? 'right' : 'left';
}

function tableHtml(table: Table): string {
  const aligns = table.columns.map((c) => columnAlign(c, table.rows));
  const head = table.columns
    .map((c, i) => {
      const unit = c.unit ? `<span class="unit">${escapeHtml(c.unit)}</span>` : '';
      return `<th scope="col" class="${aligns[i]}">${escapeHtml(c.label)}${unit}</th>`;
    })
    .join('');
  const body = table.rows
    .map(
      (row) =>
        `<tr>${table.columns.map((c, i) => `<td class="${aligns[i]}">${escapeHtml(formatCell(row[c.key], c.format))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const note = table.note ? `\n<p class="table-note">${escapeHtml(table.note)}</p>` : '';
  return `<div class="table-wrap">\n<table>\n<caption>${escapeHtml(table.caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>${note}\n</div>`;
}

function dateText(date: Date | string | undefined): string {
  if (date === undefined) return new Date().toISOString();
  if (typeof date === 'string') return date;
  if (Number.isNaN(date.getTime())) throw new RangeError('htmlReport: generatedAt is an invalid date');
  return date.toISOString();
}

/** Build the report: one standalone HTML document (UTF-8), ready to write to a .html file. */
export function htmlReport(opts: ReportOptions): string {
  if (!opts.title.trim()) throw new TypeError('htmlReport: title must be a non-empty string');
  if (!opts.disclaimer.trim()) throw new TypeError('htmlReport: the disclaimer must be a non-empty string');
  const generated = dateText(opts.generatedAt);
  const sections = opts.sections.map((section, i) => {
    const parts = [`<h2>${escapeHtml(section.heading)}</h2>`];
    if (section.text) parts.push(paragraphs(section.text));
    for (const chart of section.charts ?? []) parts.push(figureHtml(chart));
    for (const table of section.tables ?? []) parts.push(tableHtml(table));
    return `<section id="section-${i + 1}">\n${parts.join('\n')}\n</section>`;
  });
  const contents =
    opts.sections.length >= 3
      ? `<nav class="contents" aria-label="Contents"><strong>Contents</strong>\n<ol>\n${opts.sections
          .map((s, i) => `<li><a href="#section-${i + 1}">${escapeHtml(s.heading)}</a></li>`)
          .join('\n')}\n</ol>\n</nav>\n`
      : '';
  const provenance = [['Generated', generated] as const, ...Object.entries(opts.provenance ?? {})]
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('\n');
  const subtitle = opts.subtitle ? `\n<p class="subtitle">${escapeHtml(opts.subtitle)}</p>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ketasim">
<title>${escapeHtml(opts.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(opts.title)}</h1>${subtitle}
<div class="disclaimer" role="note">${escapeHtml(opts.disclaimer)}</div>
</header>
${contents}<main>
${sections.join('\n')}
</main>
<footer>
<dl class="provenance">
${provenance}
</dl>
</footer>
</body>
</html>
`;
}
