import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { luFactor, luSolve } from '../../src/core/ode/linalg.js';

function matVec(a: Float64Array, n: number, x: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[i]! += a[i * n + j]! * x[j]!;
  return y;
}

describe('dense LU with partial pivoting', () => {
  it('solves random systems with a small backward error (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n * n, maxLength: n * n }),
            fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
          ),
        ),
        ([n, entries, rhs]) => {
          const a = Float64Array.from(entries);
          for (let i = 0; i < n; i++) a[i * n + i]! += 0.5; // keep away from exactly singular draws
          const lu = Float64Array.from(a);
          const piv = new Int32Array(n);
          if (luFactor(lu, n, piv) !== 0) return; // singular draw: nothing to check
          const b = Float64Array.from(rhs);
          const x = Float64Array.from(b);
          luSolve(lu, n, piv, x);
          const r = matVec(a, n, x);
          let anorm = 0;
          let xnorm = 0;
          let rnorm = 0;
          for (let i = 0; i < n; i++) {
            xnorm = Math.max(xnorm, Math.abs(x[i]!));
            rnorm = Math.max(rnorm, Math.abs(r[i]! - b[i]!));
            let row = 0;
            for (let j = 0; j < n; j++) row += Math.abs(a[i * n + j]!);
            anorm = Math.max(anorm, row);
          }
          // backward stable: residual ~ n·eps·‖A‖‖x‖ (growth factor is small for these sizes)
          expect(rnorm).toBeLessThanOrEqual(1e-12 * (anorm * xnorm + 1e-300) + 1e-300);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('pivots: a zero leading entry is no problem, and the pivot rows are recorded', () => {
    const a = Float64Array.from([0, 2, 1, 1, 1, 0, 3, 0, 1]);
    const lu = Float64Array.from(a);
    const piv = new Int32Array(3);
    expect(luFactor(lu, 3, piv)).toBe(0);
    expect(piv[0]).toBe(2); // |3| is the largest in column 0
    const x = Float64Array.from([1, 2, 3]);
    luSolve(lu, 3, piv, x);
    const r = matVec(a, 3, x);
    expect(Array.from(r).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 2, 3]);
  });

  it('partial pivoting keeps a badly scaled pivot from destroying the solution', () => {
    // without pivoting, the 1e-20 pivot gives x = (0, 1); the correct answer is ≈ (1, 1)
    const a = Float64Array.from([1e-20, 1, 1, 1]);
    const piv = new Int32Array(2);
    const lu = Float64Array.from(a);
    luFactor(lu, 2, piv);
    const x = Float64Array.from([1, 2]);
    luSolve(lu, 2, piv, x);
    expect(x[0]).toBeCloseTo(1, 12);
    expect(x[1]).toBeCloseTo(1, 12);
  });

  it('reports a singular matrix by the 1-based column of the zero pivot', () => {
    const a = Float64Array.from([1, 2, 3, 2, 4, 6, 1, 0, 1]);
    expect(luFactor(a, 3, new Int32Array(3))).toBe(3);
    expect(luFactor(new Float64Array(4), 2, new Int32Array(2))).toBe(1);
  });
});
