import { describe, expect, it } from 'vitest';
import { percentileChart, renderSvg } from '../../src/report/index.js';
import { svgTexts } from './helpers.js';

const boxes = [
  { category: 'ketamine', p05: 2, p25: 4, p50: 5.5, p75: 8, p95: 12, mean: 6.1 },
  { category: 'saline', p05: 0, p25: 0, p50: 0, p75: 0, p95: 0 },
];

describe('percentileChart', () => {
  it('draws one box per category with the axis, the threshold and the legend of the marks', async () => {
    const svg = await renderSvg(percentileChart({ title: 'Peak CADSS', category: { label: 'Arm' }, y: { label: 'Peak CADSS', unit: '' }, boxes, referenceLines: [{ y: 4, label: 'CADSS > 4' }] }), { onWarning: (m) => expect.fail(m) });
    const texts = svgTexts(svg);
    expect(texts).toEqual(expect.arrayContaining(['Peak CADSS', 'Arm', 'ketamine', 'saline', 'CADSS > 4', 'Box: 25th–75th percentile; whiskers: 5th–95th; line: median; diamond: mean']));
    // Whiskers and boxes: one path per category each (rule and bar marks), a median tick per category, one mean.
    expect((svg.match(/class="mark-rect role-mark[^"]*"/g) ?? []).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses decreasing percentiles, duplicate categories and non-finite values', () => {
    const base = { title: 't', category: { label: 'Arm' }, y: { label: 'y', unit: '' } };
    expect(() => percentileChart({ ...base, boxes: [{ category: 'a', p05: 1, p25: 0, p50: 2, p75: 3, p95: 4 }] })).toThrow('percentiles must not decrease');
    expect(() => percentileChart({ ...base, boxes: [boxes[1] as (typeof boxes)[1], boxes[1] as (typeof boxes)[1]] })).toThrow("two boxes for category 'saline'");
    expect(() => percentileChart({ ...base, boxes: [{ category: 'a', p05: Number.NaN, p25: 0, p50: 2, p75: 3, p95: 4 }] })).toThrow('non-finite');
  });
});
