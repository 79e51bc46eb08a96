/**
 * Each chart builder gives a Vega-Lite spec that compiles without warnings and renders to an SVG showing the
 * title, the axis titles with their units and the legend names; rendering is deterministic.
 */
import { describe, expect, it } from 'vitest';
import {
  bandChart,
  barChart,
  lineChart,
  renderSvg,
  scatterWithLine,
  stepChart,
  type ChartSpec,
  type LineChartOptions,
  type XY,
} from '../../src/report/index.js';
import { svgTexts } from './helpers.js';

/** Render and fail on any Vega-Lite or Vega warning (a warning means part of the spec was ignored). */
async function render(spec: ChartSpec): Promise<{ svg: string; texts: string[] }> {
  const warnings: string[] = [];
  const svg = await renderSvg(spec, { onWarning: (m) => warnings.push(m) });
  expect(warnings).toEqual([]);
  expect(svg.startsWith('<svg')).toBe(true);
  return { svg, texts: svgTexts(svg) };
}

const time = Array.from({ length: 241 }, (_, i) => i * 0.1);
const oneCompartment = (ka: number, k: number): XY[] =>
  time.map((t) => ({ x: t, y: (100 * ka * (Math.exp(-k * t) - Math.exp(-ka * t))) / (ka - k) }));

describe('lineChart', () => {
  const opts: LineChartOptions = {
    title: 'Plasma ketamine concentration',
    subtitle: '0.5 mg/kg IV over 40 min',
    x: { label: 'Time', unit: 'h' },
    y: { label: 'Concentration', unit: 'ng/mL' },
    series: [
      { name: 'Plasma (CP)', points: oneCompartment(2, 0.3) },
      { name: 'Effect site (CE)', points: oneCompartment(1, 0.2) },
    ],
    referenceLines: [{ y: 40, label: 'Threshold 40 ng/mL' }, { x: 12, label: 'Second dose' }],
    shadedBands: [
      { xFrom: 0, xTo: 0.67, label: 'Infusion' },
      { xFrom: 12, xTo: 12.67, label: 'Infusion' },
    ],
  };
  const spec = lineChart(opts);

  it('renders title, subtitle, axis titles with units, legend names and reference labels', async () => {
    const { texts } = await render(spec);
    for (const t of [
      'Plasma ketamine concentration',
      '0.5 mg/kg IV over 40 min',
      'Time (h)',
      'Concentration (ng/mL)',
      'Plasma (CP)',
      'Effect site (CE)',
      'Infusion',
      'Threshold 40 ng/mL',
      'Second dose',
    ])
      expect(texts).toContain(t);
    // Two bands with the same label: one legend entry.
    expect(texts.filter((t) => t === 'Infusion')).toHaveLength(1);
  });

  it('is deterministic, also after rendering other charts, and leaves the spec as it was', async () => {
    // with a fixed domain the marks are clipped, so the SVG defines clip paths (vega numbers them globally)
    const clipped = lineChart({ ...opts, xDomain: [0, 12] });
    const before = JSON.stringify(clipped);
    const first = await renderSvg(clipped);
    expect(first).toMatch(/<clipPath id=/);
    await renderSvg(spec);
    await renderSvg(lineChart({ title: 'Other', x: { label: 'a', unit: 'b' }, y: { label: 'c', unit: 'd' }, series: [] }));
    expect(await renderSvg(clipped)).toBe(first);
    expect(JSON.stringify(clipped)).toBe(before);
  });

  it('gives different charts different clip-path ids (so they can share an HTML page)', async () => {
    const a = await renderSvg(lineChart({ ...opts, xDomain: [0, 10] }));
    const withDomain = await renderSvg(
      lineChart({ title: 'Zoomed', x: { label: 'Time', unit: 'h' }, y: { label: 'C', unit: 'ng/mL' }, xDomain: [0, 5], series: [{ name: 'CP', points: oneCompartment(2, 0.3) }] }),
    );
    const ids = (svg: string) => [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(withDomain).length).toBeGreaterThan(0);
    for (const id of ids(withDomain)) expect(ids(a)).not.toContain(id);
    // every url(#…) points at an id of the same SVG
    for (const m of withDomain.matchAll(/url\(#([^)]+)\)/g)) expect(ids(withDomain)).toContain(m[1]);
  });

  it('log scale: leaves out values ≤ 0 and says so in the subtitle', async () => {
    const { texts, svg } = await render(
      lineChart({
        title: 'Log',
        x: { label: 'Time', unit: 'h' },
        y: { label: 'Concentration', unit: 'ng/mL' },
        yScale: 'log',
        series: [{ name: 'CP', points: oneCompartment(2, 0.3) }],
      }),
    );
    expect(texts).toContain('1 value ≤ 0 not shown (log scale)');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('a dimensionless axis shows the label alone', async () => {
    const { texts } = await render(
      lineChart({ title: 'Score', x: { label: 'Time', unit: 'days' }, y: { label: 'MADRS total', unit: '' }, series: [{ name: 'Arm A', points: [{ x: 0, y: 30 }, { x: 7, y: 18 }] }] }),
    );
    expect(texts).toContain('MADRS total');
    expect(texts).toContain('Time (days)');
  });

  it('rejects duplicate series names and empty titles', () => {
    const axis = { label: 'a', unit: 'u' };
    expect(() => lineChart({ title: 'T', x: axis, y: axis, series: [{ name: 'A', points: [] }, { name: 'A', points: [] }] })).toThrow(/named 'A'/);
    expect(() => lineChart({ title: ' ', x: axis, y: axis, series: [] })).toThrow(/title/);
  });

  it('escapes markup in titles and names inside the SVG', async () => {
    const { svg, texts } = await render(
      lineChart({ title: '<script>alert(1)</script>', x: { label: 'x', unit: 'h' }, y: { label: 'y', unit: 'mg' }, series: [{ name: '<b>&"', points: [{ x: 0, y: 1 }, { x: 1, y: 2 }] }] }),
    );
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<b>');
    expect(texts).toContain('<script>alert(1)</script>');
    expect(texts).toContain('<b>&"');
  });
});

describe('bandChart', () => {
  it('renders groups (colour legend) and bands (band legend)', async () => {
    const xs = Array.from({ length: 121 }, (_, i) => i);
    const groups = ['Placebo', 'Ketamine 0.5 mg/kg'].map((name, g) => {
      const m = (x: number) => 120 + g * 25 * Math.exp(-((x - 40) ** 2) / 400);
      return {
        name,
        median: xs.map((x) => ({ x, y: m(x) })),
        bands: [
          { label: '5–95%', points: xs.map((x) => ({ x, lower: m(x) - 20, upper: m(x) + 20 })) },
          { label: '25–75%', points: xs.map((x) => ({ x, lower: m(x) - 8, upper: m(x) + 8 })) },
        ],
      };
    });
    const { texts } = await render(
      bandChart({
        title: 'Systolic blood pressure',
        x: { label: 'Time', unit: 'min' },
        y: { label: 'SBP', unit: 'mmHg' },
        yDomain: [80, 200],
        referenceLines: [{ y: 180, label: 'SBP 180 mmHg' }],
        groups,
      }),
    );
    for (const t of ['Systolic blood pressure', 'Time (min)', 'SBP (mmHg)', 'Placebo', 'Ketamine 0.5 mg/kg', '5–95%', '25–75%', 'SBP 180 mmHg'])
      expect(texts).toContain(t);
  });

  it('shows the group legend when there are bands only', async () => {
    const { texts } = await render(
      bandChart({
        title: 'Bands only',
        x: { label: 'Time', unit: 'h' },
        y: { label: 'C', unit: 'ng/mL' },
        groups: [{ name: 'Arm A', bands: [{ label: '90% PI', points: [{ x: 0, lower: 1, upper: 2 }, { x: 1, lower: 2, upper: 4 }] }] }],
      }),
    );
    expect(texts).toContain('Arm A');
    expect(texts).toContain('90% PI');
  });

  it('draws a single band translucent (no NaN opacity)', async () => {
    const { svg } = await render(
      bandChart({
        title: 'One band',
        x: { label: 'Time', unit: 'h' },
        y: { label: 'C', unit: 'ng/mL' },
        groups: [{ name: 'Arm A', median: [{ x: 0, y: 1.5 }, { x: 1, y: 3 }], bands: [{ label: '5–95%', points: [{ x: 0, lower: 1, upper: 2 }, { x: 1, lower: 2, upper: 4 }] }] }],
      }),
    );
    expect(svg).not.toContain('NaN');
    expect(svg).toMatch(/opacity="0\.25"/);
  });
});

describe('stepChart', () => {
  it('renders Kaplan–Meier curves with censoring ticks and a CI band', async () => {
    const spec = stepChart({
      title: 'Time to relapse',
      x: { label: 'Time since last infusion', unit: 'days' },
      y: { label: 'Relapse-free', unit: 'proportion' },
      yDomain: [0, 1],
      curves: [
        {
          name: 'Six infusions',
          points: [{ x: 0, y: 1 }, { x: 5, y: 0.9 }, { x: 12, y: 0.75 }, { x: 30, y: 0.75 }],
          censored: [8, 25],
          ci: [{ x: 0, lower: 1, upper: 1 }, { x: 5, lower: 0.8, upper: 0.97 }, { x: 12, lower: 0.6, upper: 0.86 }, { x: 30, lower: 0.6, upper: 0.86 }],
        },
        { name: 'Single infusion', points: [{ x: 0, y: 1 }, { x: 3, y: 0.8 }, { x: 9, y: 0.55 }, { x: 30, y: 0.4 }], censored: [15] },
      ],
    });
    const { texts, svg } = await render(spec);
    for (const t of ['Time to relapse', 'Time since last infusion (days)', 'Relapse-free (proportion)', 'Six infusions', 'Single infusion', 'Ticks mark censored observations'])
      expect(texts).toContain(t);
    // three censoring ticks, drawn with the tick shape
    expect(svg.match(/M0,-\d+(\.\d+)?L0,\d/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    // censoring ticks sit on the curve: the spec places the one at day 8 at 0.9 and the one at day 15 at 0.55
    const layers = (spec as unknown as { layer: { data?: { values: Record<string, unknown>[] }; mark: { type: string } }[] }).layer;
    const ticks = layers.find((l) => l.mark.type === 'point')?.data?.values;
    expect(ticks).toEqual([
      { s: 'Six infusions', x: 8, y: 0.9 },
      { s: 'Six infusions', x: 25, y: 0.75 },
      { s: 'Single infusion', x: 15, y: 0.55 },
    ]);
  });
});

describe('barChart', () => {
  it('renders grouped bars with error bars', async () => {
    const { texts, svg } = await render(
      barChart({
        title: 'Published vs simulated peak concentration',
        category: { label: 'Dose' },
        y: { label: 'Cmax', unit: 'ng/mL' },
        intervalLabel: '95% CI',
        bars: [
          { category: '0.5 mg/kg', group: 'Published', estimate: 180, lower: 150, upper: 210 },
          { category: '0.5 mg/kg', group: 'ketasim', estimate: 172 },
          { category: '1 mg/kg', group: 'Published', estimate: 350, lower: 300, upper: 410 },
          { category: '1 mg/kg', group: 'ketasim', estimate: 344, lower: 320, upper: 370 },
        ],
        referenceLines: [{ y: 250, label: 'Target' }],
      }),
    );
    for (const t of ['Published vs simulated peak concentration', 'Dose', 'Cmax (ng/mL)', 'Published', 'ketasim', '0.5 mg/kg', '1 mg/kg', 'Error bars: 95% CI', 'Target'])
      expect(texts).toContain(t);
    // 4 bars (role-mark bars are paths with class mark-rect), 3 error bars
    expect(svg).toMatch(/mark-rect/);
    expect(svg.match(/class="mark-rule role-mark[^"]*"/g)?.length).toBeGreaterThanOrEqual(1);
  });

  it('rejects two bars for the same category and group', () => {
    expect(() =>
      barChart({ title: 'T', category: { label: 'c' }, y: { label: 'y', unit: 'u' }, bars: [{ category: 'A', estimate: 1 }, { category: 'A', estimate: 2 }] }),
    ).toThrow(/two bars/);
  });
});

describe('scatterWithLine', () => {
  it('renders observed points over a fitted line and a forecast band', async () => {
    const { texts, svg } = await render(
      scatterWithLine({
        title: 'Patient 7: observed and fitted',
        x: { label: 'Time', unit: 'h' },
        y: { label: 'Concentration', unit: 'ng/mL' },
        observed: [{ name: 'Observed', points: [{ x: 0.5, y: 180 }, { x: 2, y: 90 }, { x: 6, y: 30 }] }],
        fitted: [{ name: 'Individual fit', points: oneCompartment(2, 0.3) }],
        bands: [{ name: '90% forecast', points: time.filter((t) => t >= 12).map((x) => ({ x, lower: 1, upper: 10 })) }],
        referenceLines: [{ x: 12, label: 'Now' }],
      }),
    );
    for (const t of ['Patient 7: observed and fitted', 'Time (h)', 'Concentration (ng/mL)', 'Observed', 'Individual fit', '90% forecast', 'Now'])
      expect(texts).toContain(t);
    expect(svg).toMatch(/mark-symbol/);
  });
});

describe('renderSvg', () => {
  it('loads nothing from outside: a spec asking for a URL fails', async () => {
    const spec = {
      data: { url: 'http://127.0.0.1:9/data.csv' },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative' } },
    } as unknown as ChartSpec;
    await expect(renderSvg(spec, { onWarning: () => undefined })).rejects.toThrow(/inline/);
  });

  it('a Vega data error fails the render instead of giving an empty chart', async () => {
    // a data source whose values are not an array of objects is reported by vega through the logger only
    const spec = { data: { values: [{ a: 1 }] }, transform: [{ calculate: 'datum.a.b.c', as: 'z' }], mark: 'point', encoding: { x: { field: 'z', type: 'quantitative' } } } as unknown as ChartSpec;
    await expect(renderSvg(spec, { onWarning: () => undefined })).rejects.toThrow();
  });
});
