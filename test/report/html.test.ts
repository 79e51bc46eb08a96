/**
 * htmlReport makes one standalone, well-formed page: every text escaped, the disclaimer shown, charts inline,
 * nothing loaded from outside, tables with units and formatted numbers; same input, same page.
 */
import { describe, expect, it } from 'vitest';
import {
  assertSafeSvg,
  formatCell,
  formatSignificant,
  htmlReport,
  lineChart,
  renderSvg,
  type ReportOptions,
} from '../../src/report/index.js';
import { htmlNestingProblems, htmlText } from './helpers.js';

const DISCLAIMER = 'Research and education software, not a medical device. Do not use it to make clinical decisions.';
const EVIL = '<script>alert("x")</script>';

async function sampleReport(overrides: Partial<ReportOptions> = {}): Promise<string> {
  const svg = await renderSvg(
    lineChart({
      title: `Model ${EVIL}`,
      x: { label: 'Time', unit: 'h' },
      y: { label: 'Concentration', unit: 'ng/mL' },
      xDomain: [0, 2],
      series: [{ name: 'CP', points: [{ x: 0, y: 0 }, { x: 1, y: 10 }, { x: 2, y: 5 }] }],
    }),
  );
  const svg2 = await renderSvg(
    lineChart({ title: 'Second', x: { label: 'Time', unit: 'h' }, y: { label: 'E', unit: '%' }, xDomain: [0, 1], series: [{ name: 'E', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }] }),
  );
  return htmlReport({
    title: `Report for ${EVIL}`,
    subtitle: 'model <b>x</b> & "y"',
    disclaimer: DISCLAIMER,
    generatedAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
    provenance: { Model: `ketamine-iv-domino 0.1.0 ${EVIL}`, ketasim: '0.1.0', Command: 'ketasim report --data "a b.csv" <x>' },
    sections: [
      { heading: `Concentrations ${EVIL}`, text: `First paragraph ${EVIL}.\n\nSecond paragraph.`, charts: [svg, { svg: svg2, caption: `Caption ${EVIL}` }] },
      {
        heading: 'Peaks',
        tables: [
          {
            caption: `Peak per infusion ${EVIL}`,
            columns: [
              { key: 'name', label: 'Infusion' },
              { key: 'cmax', label: 'Cmax', unit: 'ng/mL' },
              { key: 'tmax', label: 'Tmax', unit: 'h', format: { decimals: 2 } },
              { key: 'auc', label: 'AUC', unit: 'ng·h/mL', format: { significant: 3 } },
            ],
            rows: [
              { name: `Day 0 ${EVIL}`, cmax: 212.34567, tmax: 0.6666667, auc: 1234.5678 },
              { name: 'Day 2', cmax: 3, tmax: 2.5, auc: 0.000012345 },
              { name: 'Day 4', cmax: Number.NaN, tmax: undefined, auc: null },
            ],
            note: 'Cmax: peak plasma concentration.',
          },
        ],
      },
      { heading: 'Notes', text: 'Nothing else.' },
    ],
    ...overrides,
  });
}

describe('htmlReport', () => {
  it('escapes markup in every text it is given', async () => {
    const html = await sampleReport();
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    // the text still reads as given
    const text = htmlText(html);
    expect(text).toContain(`Report for ${EVIL}`);
    expect(text).toContain(`Day 0 ${EVIL}`);
    expect(text).toContain('ketasim report --data "a b.csv" <x>');
    expect(text).toContain('model <b>x</b> & "y"');
  });

  it('shows the disclaimer in its box, and the provenance in the footer', async () => {
    const html = await sampleReport();
    expect(html).toMatch(new RegExp(`<div class="disclaimer" role="note">${DISCLAIMER.replace(/\./g, '\\.')}</div>`));
    const footer = html.slice(html.indexOf('<footer>'));
    expect(footer).toContain('<dt>Generated</dt><dd>2025-01-02T03:04:05.000Z</dd>');
    expect(footer).toContain('<dt>ketasim</dt><dd>0.1.0</dd>');
    expect(footer).toContain('<dt>Model</dt>');
  });

  it('is well-formed HTML with the charts inline', async () => {
    const html = await sampleReport();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(htmlNestingProblems(html)).toEqual([]);
    expect(html.match(/<svg[\s>]/g)).toHaveLength(2);
    expect(html.match(/<figure>/g)).toHaveLength(2);
    expect(html).toContain('<nav class="contents"');
  });

  it('the nesting check catches broken HTML (so the test above can fail)', () => {
    expect(htmlNestingProblems('<html><body><div><p>text</div></body></html>')).not.toEqual([]);
    expect(htmlNestingProblems('<html><body><table><tr><td>x</table></body></html>')).not.toEqual([]);
    expect(htmlNestingProblems('<html><body><p>ok<br></p></body></html>')).toEqual([]);
  });

  it('loads nothing from outside: no external src/href/url, a CSP forbidding it, no ids shared between charts', async () => {
    const html = await sampleReport();
    expect(html).not.toMatch(/\s(src|href|xlink:href)\s*=\s*["']?\s*(https?:|\/\/|file:|data:text)/i);
    expect(html).not.toMatch(/url\(\s*["']?\s*(https?:|\/\/)/i);
    expect(html).not.toMatch(/@import/);
    for (const href of html.matchAll(/\shref="([^"]*)"/g)) expect(href[1]).toMatch(/^#/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`);
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('formats tables: units in the header, numbers formatted and right-aligned, missing values empty', async () => {
    const html = await sampleReport();
    expect(html).toContain('<th scope="col" class="right">Cmax<span class="unit">ng/mL</span></th>');
    expect(html).toContain('<th scope="col" class="left">Infusion</th>');
    expect(html).toContain('<td class="right">212.3</td>'); // default: 4 significant digits
    expect(html).toContain('<td class="right">0.67</td>'); // decimals: 2
    expect(html).toContain('<td class="right">1235</td>'); // significant: 3, integer part kept
    expect(html).toContain('<tr><td class="left">Day 2</td><td class="right">3</td><td class="right">2.50</td><td class="right">1.23e-5</td></tr>');
    expect(html).toContain('<tr><td class="left">Day 4</td><td class="right">NaN</td><td class="right"></td><td class="right"></td></tr>');
    expect(html).toContain('<p class="table-note">Cmax: peak plasma concentration.</p>');
  });

  it('is deterministic given generatedAt', async () => {
    expect(await sampleReport()).toBe(await sampleReport());
  });

  it('refuses chart markup that could run code or load something', () => {
    const section = (svg: string) => htmlReport({ title: 'T', disclaimer: 'D', sections: [{ heading: 'H', charts: [svg] }] });
    expect(() => section('<svg><script>alert(1)</script></svg>')).toThrow(/script/);
    expect(() => section('<svg><rect onclick="alert(1)"/></svg>')).toThrow(/event handler/);
    expect(() => section('<svg><image href="https://example.org/x.png"/></svg>')).toThrow(/image/);
    expect(() => section('<svg><path fill="url(https://example.org/p)"/></svg>')).toThrow(/external/);
    expect(() => section('<svg><g><foreignObject/></g></svg>')).toThrow(/foreignobject/);
    expect(() => section('<p>not an svg</p>')).toThrow(/one <svg>/);
    // text that merely looks like an attribute is fine
    expect(() => assertSafeSvg('<svg><text aria-label="onset = 2 h">onset = 2 h</text></svg>')).not.toThrow();
  });

  it('requires a title and a disclaimer', () => {
    expect(() => htmlReport({ title: '', disclaimer: 'D', sections: [] })).toThrow(/title/);
    expect(() => htmlReport({ title: 'T', disclaimer: '  ', sections: [] })).toThrow(/disclaimer/);
  });
});

describe('number formatting', () => {
  it('formatSignificant', () => {
    expect(formatSignificant(212.34567, 4)).toBe('212.3');
    expect(formatSignificant(0.5, 3)).toBe('0.500');
    expect(formatSignificant(9.996, 3)).toBe('10.0');
    expect(formatSignificant(123456, 3)).toBe('123456');
    expect(formatSignificant(-0.00012345, 2)).toBe('-0.00012');
    expect(formatSignificant(0.000123456, 3)).toBe('0.000123');
    expect(formatSignificant(0.0000123456, 3)).toBe('1.23e-5');
    expect(formatSignificant(1.5e-7, 2)).toBe('1.5e-7');
    expect(formatSignificant(0, 3)).toBe('0');
  });

  it('formatCell', () => {
    expect(formatCell(3)).toBe('3');
    expect(formatCell(-0)).toBe('0');
    expect(formatCell(1.5)).toBe('1.5');
    expect(formatCell(120.04)).toBe('120');
    expect(formatCell(-0.001, { decimals: 2 })).toBe('0.00');
    expect(formatCell(Number.POSITIVE_INFINITY)).toBe('∞');
    expect(formatCell(null)).toBe('');
    expect(formatCell('text')).toBe('text');
    expect(formatCell(0.25, (v) => `${Number(v) * 100}%`)).toBe('25%');
  });
});
