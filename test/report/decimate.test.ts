/**
 * Decimation keeps what a reader must see (first and last points, every extreme) and bounds the size of what
 * is drawn: a 100k-point series renders to a small SVG that still shows a one-sample spike.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimate, lineChart, renderSvg, type XY } from '../../src/report/index.js';

const byX = (p: XY) => p.x;
const byY = (p: XY) => p.y;

function argExtremes(points: readonly XY[]): { min: XY; max: XY } {
  let min = points[0] as XY;
  let max = points[0] as XY;
  for (const p of points) {
    if (p.y < min.y) min = p;
    if (p.y > max.y) max = p;
  }
  return { min, max };
}

describe('decimate', () => {
  it('returns short series unchanged (a copy)', () => {
    const pts = [{ x: 0, y: 1 }, { x: 1, y: 2 }];
    const out = decimate(pts, 100, byX, [byY]);
    expect(out).toEqual(pts);
    expect(out).not.toBe(pts);
  });

  it('keeps first, last, global min and max, in order, within the limit (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 4, max: 500 }),
        fc.boolean(),
        (ys, maxPoints, sortedX) => {
          const pts = ys.map((y, i) => ({ x: sortedX ? i * 0.5 : (i * 7919) % 101, y }));
          const out = decimate(pts, maxPoints, byX, [byY]);
          expect(out.length).toBeLessThanOrEqual(maxPoints);
          expect(out[0]).toBe(pts[0]);
          expect(out[out.length - 1]).toBe(pts[pts.length - 1]);
          const { min, max } = argExtremes(pts);
          expect(Math.min(...out.map(byY))).toBe(min.y);
          expect(Math.max(...out.map(byY))).toBe(max.y);
          // original points, original order
          const index = out.map((p) => pts.indexOf(p));
          expect(index.every((i, k) => i >= 0 && (k === 0 || i > (index[k - 1] as number)))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the extremes of every channel (bands: lower and upper)', () => {
    const pts = Array.from({ length: 50_000 }, (_, i) => ({ x: i, lower: Math.sin(i / 100), upper: 2 + Math.cos(i / 37) }));
    pts[12_345] = { x: 12_345, lower: -50, upper: 3 };
    pts[40_000] = { x: 40_000, lower: 0, upper: 99 };
    const out = decimate(pts, 1000, (p) => p.x, [(p) => p.lower, (p) => p.upper]);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out).toContain(pts[12_345]);
    expect(out).toContain(pts[40_000]);
  });

  it('drops non-finite points and rejects a limit below 4', () => {
    const pts = [{ x: 0, y: 1 }, { x: 1, y: Number.NaN }, { x: Number.POSITIVE_INFINITY, y: 3 }, { x: 2, y: 4 }];
    expect(decimate(pts, 10, byX, [byY])).toEqual([{ x: 0, y: 1 }, { x: 2, y: 4 }]);
    expect(() => decimate(pts, 3, byX, [byY])).toThrow(RangeError);
  });

  it('a 100k-point series renders to a bounded SVG that still shows a one-sample spike', async () => {
    const n = 100_000;
    const points = Array.from({ length: n }, (_, i) => ({ x: i * 0.001, y: 50 + 10 * Math.sin(i / 500) }));
    points[77_777] = { x: 77.777, y: 400 }; // a single-sample spike far above everything else
    const spec = lineChart({ title: 'Long series', x: { label: 'Time', unit: 'h' }, y: { label: 'C', unit: 'ng/mL' }, series: [{ name: 'CP', points }] });
    const values = (spec as unknown as { layer: { mark: { type: string }; data: { values: { x: number; y: number }[] } }[] }).layer.find((l) => l.mark.type === 'line')?.data.values ?? [];
    expect(values.length).toBeLessThanOrEqual(2000);
    expect(values).toContainEqual({ s: 'CP', x: 77.777, y: 400 });
    expect(values[0]).toEqual({ s: 'CP', x: 0, y: 50 });
    expect(values[values.length - 1]).toEqual({ s: 'CP', x: (n - 1) * 0.001, y: points[n - 1]?.y });
    const svg = await renderSvg(spec, { onWarning: (m) => expect.fail(m) });
    expect(svg.length).toBeLessThan(120_000);
    // the y axis reaches the spike: a tick label at 400
    expect(svg).toMatch(/>400<\/text>/);
  });
});
