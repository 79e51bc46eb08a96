/** The closed-form mammillary eigen-solver agrees with Jacobi, including near-degenerate systems (where it falls back). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jacobiEigenInPlace } from '../../src/core/linear/symmetric-eigen.js';
import { mammillaryEigen } from '../../src/core/linear/mammillary-eigen.js';
import { expDividedDifference } from '../../src/core/linear/divided-differences.js';

function symmetric(k10: number, p: Array<{ kcp: number; kpc: number }>): Float64Array {
  const m = 1 + p.length;
  const a = new Float64Array(m * m);
  a[0] = -(k10 + p.reduce((s, x) => s + x.kcp, 0));
  p.forEach(({ kcp, kpc }, i) => {
    const j = i + 1;
    a[j] = a[j * m] = Math.sqrt(kcp * kpc);
    a[j * m + j] = -kpc;
  });
  return a;
}

describe('mammillaryEigen', () => {
  const rate = fc.double({ min: 1e-4, max: 50, noNaN: true });
  it('eigenvalues and eigenvector outer products match Jacobi (random systems, 1-3 compartments)', () => {
    fc.assert(
      fc.property(rate, fc.array(fc.record({ kcp: rate, kpc: rate }), { maxLength: 2 }), (k10, per) => {
        const m = 1 + per.length;
        const a = symmetric(k10, per);
        const v1 = new Float64Array(m);
        const e1 = new Float64Array(m * m);
        const v2 = new Float64Array(m);
        const e2 = new Float64Array(m * m);
        mammillaryEigen(m, k10, per[0]?.kcp ?? 0, per[0]?.kpc ?? 0, per[1]?.kcp ?? 0, per[1]?.kpc ?? 0, a, v1, e1);
        jacobiEigenInPlace(a, m, v2, e2);
        const scale = Math.max(...Array.from(v2, Math.abs));
        for (let k = 0; k < m; k++) expect(Math.abs((v1[k] as number) - (v2[k] as number))).toBeLessThan(1e-13 * scale);
        // eigenvectors are defined up to sign (and rotation within repeated eigenvalues): compare the reconstruction
        for (let r = 0; r < m; r++) {
          for (let c = 0; c < m; c++) {
            let s = 0;
            for (let k = 0; k < m; k++) s += (e1[r * m + k] as number) * (v1[k] as number) * (e1[c * m + k] as number);
            expect(Math.abs(s - (a[r * m + c] as number))).toBeLessThan(1e-13 * scale);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('three compartments, rates log-uniform over 1e-3…1e2 (roots near peripheral rates included): M reproduced to 1e-13 of its largest eigenvalue', () => {
    const logRate = fc.double({ min: Math.log(1e-3), max: Math.log(1e2), noNaN: true }).map(Math.exp);
    fc.assert(
      fc.property(logRate, logRate, logRate, logRate, logRate, (k10, kcp1, kpc1, kcp2, kpc2) => {
        const a = symmetric(k10, [
          { kcp: kcp1, kpc: kpc1 },
          { kcp: kcp2, kpc: kpc2 },
        ]);
        const values = new Float64Array(3);
        const vectors = new Float64Array(9);
        mammillaryEigen(3, k10, kcp1, kpc1, kcp2, kpc2, a, values, vectors);
        const scale = Math.max(...Array.from(values, Math.abs));
        let reconstruction = 0;
        let orthonormality = 0;
        for (let r = 0; r < 3; r++) {
          for (let c = 0; c < 3; c++) {
            let s = 0;
            let dot = 0;
            for (let k = 0; k < 3; k++) {
              s += (vectors[r * 3 + k] as number) * (values[k] as number) * (vectors[c * 3 + k] as number);
              dot += (vectors[k * 3 + r] as number) * (vectors[k * 3 + c] as number);
            }
            reconstruction = Math.max(reconstruction, Math.abs(s - (a[r * 3 + c] as number)) / scale);
            orthonormality = Math.max(orthonormality, Math.abs(dot - (r === c ? 1 : 0)));
          }
        }
        return reconstruction < 1e-13 && orthonormality < 1e-13;
      }),
      { numRuns: 20000 },
    );
  });
  it('equal peripheral rates (k21 = k31) and a nearly uncoupled peripheral still decompose exactly', () => {
    for (const [k10, p] of [
      [0.2, [{ kcp: 0.4, kpc: 0.1 }, { kcp: 0.3, kpc: 0.1 }]],
      [0.2, [{ kcp: 1e-12, kpc: 0.5 }, { kcp: 0.3, kpc: 0.1 }]],
    ] as const) {
      const m = 3;
      const a = symmetric(k10, [...p]);
      const v = new Float64Array(m);
      const e = new Float64Array(m * m);
      mammillaryEigen(m, k10, p[0].kcp, p[0].kpc, p[1].kcp, p[1].kpc, a, v, e);
      for (let r = 0; r < m; r++) {
        for (let c = 0; c < m; c++) {
          let s = 0;
          for (let k = 0; k < m; k++) s += (e[r * m + k] as number) * (v[k] as number) * (e[c * m + k] as number);
          expect(Math.abs(s - (a[r * m + c] as number))).toBeLessThan(1e-13);
        }
      }
    }
  });
});

describe('divided differences of exp', () => {
  it('are continuous across the switch between recursion and Taylor series (spread 0.5)', () => {
    for (const spread of [0.4999999, 0.5, 0.5000001]) {
      const exact = (Math.exp(spread) - 1) / spread;
      expect(Math.abs(expDividedDifference([0, spread], 2) - exact) / exact).toBeLessThan(1e-15);
      const three = expDividedDifference([-spread, 0, spread], 3);
      // exp[-a, 0, a] = (e^a - 2 + e^-a) / (2a²) = (cosh a - 1)/a²
      const exact3 = (Math.cosh(spread) - 1) / (spread * spread);
      expect(Math.abs(three - exact3) / exact3).toBeLessThan(1e-14);
    }
  });
  it('coincident points give the derivative terms: exp[x,x,x] = e^x/2', () => {
    expect(expDividedDifference([-3, -3, -3], 3)).toBeCloseTo(Math.exp(-3) / 2, 16);
    expect(Math.abs(expDividedDifference([1, 1, 1, 1], 4) - Math.E / 6) / (Math.E / 6)).toBeLessThan(1e-15);
  });
});
