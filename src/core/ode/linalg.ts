/**
 * Small dense linear algebra for the Newton iterations of the BDF solver: LU with partial pivoting on a flat
 * row-major n×n Float64Array (n up to a few dozen). No allocation.
 */

/**
 * Factors A = P·L·U in place (LAPACK dgetrf convention, right-looking, unblocked): on return `a` holds U on and
 * above the diagonal and the multipliers of the unit lower triangular L below it; `piv[k]` is the row that was
 * swapped with row k at step k. Returns 0, or k + 1 when the pivot of column k is exactly zero (A is singular;
 * the factorization is then unusable).
 */
export function luFactor(a: Float64Array, n: number, piv: Int32Array): number {
  for (let k = 0; k < n; k++) {
    // pivot: largest magnitude in column k at or below the diagonal
    let p = k;
    let pmax = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > pmax) {
        pmax = v;
        p = i;
      }
    }
    piv[k] = p;
    if (!(pmax > 0)) return k + 1; // zero or NaN pivot
    const rk = k * n;
    if (p !== k) {
      const rp = p * n;
      for (let j = 0; j < n; j++) {
        const tmp = a[rk + j]!;
        a[rk + j] = a[rp + j]!;
        a[rp + j] = tmp;
      }
    }
    const inv = 1 / a[rk + k]!;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const m = a[ri + k]! * inv;
      a[ri + k] = m;
      if (m !== 0) {
        for (let j = k + 1; j < n; j++) a[ri + j] = a[ri + j]! - m * a[rk + j]!;
      }
    }
  }
  return 0;
}

/** Solves A·x = b in place (b becomes x) with the factors from `luFactor`. */
export function luSolve(lu: Float64Array, n: number, piv: Int32Array, b: Float64Array): void {
  // apply the row interchanges and forward-substitute with unit lower L
  for (let k = 0; k < n; k++) {
    const p = piv[k]!;
    if (p !== k) {
      const tmp = b[k]!;
      b[k] = b[p]!;
      b[p] = tmp;
    }
  }
  for (let i = 1; i < n; i++) {
    const ri = i * n;
    let s = b[i]!;
    for (let j = 0; j < i; j++) s -= lu[ri + j]! * b[j]!;
    b[i] = s;
  }
  // back-substitute with U
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    let s = b[i]!;
    for (let j = i + 1; j < n; j++) s -= lu[ri + j]! * b[j]!;
    b[i] = s / lu[ri + i]!;
  }
}
