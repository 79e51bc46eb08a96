/**
 * The DOPRI5 coefficients, checked against the Runge–Kutta order conditions (Butcher): for every rooted tree t,
 * Σ_i b_i Φ_i(t) = 1/γ(t). Trees are generated, not typed in, so a typo in a coefficient cannot hide behind a
 * typo in a condition.
 */
import { describe, expect, it } from 'vitest';
import { DOPRI5_TABLEAU } from '../../src/core/ode/dopri5.js';

/** A rooted tree is the multiset of its children's subtrees (sorted canonical form). */
type Tree = Tree[];

function key(t: Tree): string {
  return `[${t.map(key).join(',')}]`;
}

function order(t: Tree): number {
  return 1 + t.reduce((s, c) => s + order(c), 0);
}

/** All rooted trees with exactly `n` vertices. */
function treesOfOrder(n: number, memo = new Map<number, Tree[]>()): Tree[] {
  if (memo.has(n)) return memo.get(n)!;
  const out = new Map<string, Tree>();
  if (n === 1) out.set('[]', []);
  // a tree of order n = root + a multiset of subtrees whose orders sum to n - 1
  const addChildren = (rest: number, maxKey: string | null, acc: Tree[]): void => {
    if (rest === 0) {
      const t = [...acc].sort((a, b) => (key(a) < key(b) ? -1 : 1));
      out.set(key(t), t);
      return;
    }
    for (let m = 1; m <= rest; m++) {
      for (const c of treesOfOrder(m, memo)) {
        const k = key(c);
        if (maxKey !== null && k > maxKey) continue; // nondecreasing order to avoid duplicates
        addChildren(rest - m, k, [...acc, c]);
      }
    }
  };
  if (n > 1) addChildren(n - 1, null, []);
  const list = [...out.values()];
  memo.set(n, list);
  return list;
}

function gamma(t: Tree): number {
  return order(t) * t.reduce((p, c) => p * gamma(c), 1);
}

/** Φ_i(t) for all stages i: Φ_i([t1..tm]) = Π_k Σ_j a_ij Φ_j(t_k). */
function phi(t: Tree, a: readonly (readonly number[])[]): number[] {
  const s = a.length;
  const res = new Array<number>(s).fill(1);
  for (const child of t) {
    const pc = phi(child, a);
    for (let i = 0; i < s; i++) {
      let sum = 0;
      for (let j = 0; j < a[i]!.length; j++) sum += a[i]![j]! * pc[j]!;
      res[i]! *= sum;
    }
  }
  return res;
}

/** Max |Σ b_i Φ_i(t) − θ^{|t|}/γ(t)| over all trees of order 1..p. */
function residual(a: readonly (readonly number[])[], b: readonly number[], p: number, theta = 1): number {
  let worst = 0;
  for (let q = 1; q <= p; q++) {
    for (const t of treesOfOrder(q)) {
      const ph = phi(t, a);
      const lhs = b.reduce((s, bi, i) => s + bi * ph[i]!, 0);
      worst = Math.max(worst, Math.abs(lhs - theta ** q / gamma(t)));
    }
  }
  return worst;
}

/** Residual of the order-exactly-q conditions only. */
function residualAt(a: readonly (readonly number[])[], b: readonly number[], q: number): number {
  let worst = 0;
  for (const t of treesOfOrder(q)) {
    const ph = phi(t, a);
    worst = Math.max(worst, Math.abs(b.reduce((s, bi, i) => s + bi * ph[i]!, 0) - 1 / gamma(t)));
  }
  return worst;
}

const A = DOPRI5_TABLEAU.a as readonly (readonly number[])[];
const B = DOPRI5_TABLEAU.b as readonly number[];
const E = DOPRI5_TABLEAU.e as readonly number[];
const BHAT = B.map((bi, i) => bi - E[i]!);

describe('DOPRI5 tableau', () => {
  it('tree generator: 1, 1, 2, 4, 9, 20 rooted trees of orders 1..6 (17 conditions up to order 5)', () => {
    expect([1, 2, 3, 4, 5, 6].map((q) => treesOfOrder(q).length)).toEqual([1, 1, 2, 4, 9, 20]);
  });

  it('c_i = Σ_j a_ij, and the last row is b with c_7 = 1 (FSAL)', () => {
    const c = DOPRI5_TABLEAU.c;
    for (let i = 0; i < 7; i++) expect(A[i]!.reduce((s, v) => s + v, 0)).toBeCloseTo(c[i]!, 15);
    expect(c[6]).toBe(1);
    for (let j = 0; j < 6; j++) expect(A[6]![j]).toBe(B[j]);
    expect(B[6]).toBe(0);
  });

  it('5th-order weights satisfy all 17 order conditions up to order 5, and not all of order 6', () => {
    expect(residual(A, B, 5)).toBeLessThan(1e-15);
    expect(residualAt(A, B, 6)).toBeGreaterThan(1e-4);
  });

  it('embedded weights b̂ = b − e satisfy the 8 conditions up to order 4, and not all of order 5', () => {
    expect(residual(A, BHAT, 4)).toBeLessThan(1e-15);
    expect(residualAt(A, BHAT, 5)).toBeGreaterThan(1e-5);
    expect(BHAT[6]).toBeCloseTo(1 / 40, 15); // the embedded formula uses the FSAL stage
  });

  it('the check is sensitive: perturbing any single nonzero coefficient by 1e-8 breaks a condition', () => {
    for (let i = 1; i < 6; i++) {
      for (let j = 0; j < i; j++) {
        if (A[i]![j] === 0) continue;
        const a2 = A.map((row) => [...row]);
        a2[i]![j]! += 1e-8;
        a2[6] = [...B.slice(0, 6)];
        expect(residual(a2, B, 5), `a${i + 1}${j + 1}`).toBeGreaterThan(1e-11);
      }
    }
    for (let j = 0; j < 6; j++) {
      if (B[j] === 0) continue;
      const b2 = [...B];
      b2[j]! += 1e-8;
      expect(residual(A, b2, 5), `b${j + 1}`).toBeGreaterThan(1e-11);
    }
  });

  it('continuous extension: for every θ the dense-output weights satisfy the conditions up to order 4', () => {
    const d = DOPRI5_TABLEAU.d as readonly number[];
    // Hairer's CONTD5: y(θ) = y0 + θ·Δ + θ(1−θ)·(h k1 − Δ) + θ²(1−θ)·(Δ − h k7 − (h k1 − Δ)) + θ²(1−θ)²·h Σ d_i k_i
    // with Δ = h Σ b_i k_i, i.e. weights w_i(θ) on h k_i:
    const w = (theta: number): number[] =>
      B.map((bi, i) => {
        const d1 = i === 0 ? 1 : 0;
        const d7 = i === 6 ? 1 : 0;
        const th1 = 1 - theta;
        return theta * bi + theta * th1 * (d1 - bi) + theta * theta * th1 * (2 * bi - d1 - d7) + theta * theta * th1 * th1 * d[i]!;
      });
    for (const theta of [0, 0.1, 0.25, 0.5, 0.77, 0.9, 1]) {
      expect(residual(A, w(theta), 4, theta), `θ = ${theta}`).toBeLessThan(1e-15);
    }
    // at θ = 1 it reproduces the step, and it is not of order 5 in general
    expect(w(1).every((wi, i) => Math.abs(wi - B[i]!) < 1e-16)).toBe(true);
    expect(residual(A, w(0.5), 5, 0.5)).toBeGreaterThan(1e-5);
  });
});
