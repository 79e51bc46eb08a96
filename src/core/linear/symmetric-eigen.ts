/**
 * Eigen-decomposition of a small real symmetric matrix by the cyclic Jacobi method:
 * M = Q·diag(λ)·Qᵀ with Q orthogonal. Jacobi is used (rather than a cubic formula) because it is
 * backward stable, gives orthogonal eigenvectors even for repeated eigenvalues, and is cheap for n ≤ 4.
 */

import { float64, int32 } from '../buffers.js';

export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** Eigenvectors as columns of a row-major n×n matrix: vectors[r*n + k] = component r of eigenvector k. */
  readonly vectors: Float64Array;
}

export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  const values = float64(n);
  const vectors = float64(n * n);
  jacobiEigenInPlace(Float64Array.from({ length: n * n }, (_, i) => matrix[i] as number), n, values, vectors);
  return { values, vectors };
}

const MAX_N = 4;
const work = float64(MAX_N * MAX_N);
const workVectors = float64(MAX_N * MAX_N);
const order = int32(MAX_N);

/**
 * Allocation-free Jacobi for n ≤ 4. `a` (row-major n×n, symmetric) is used as input only.
 * Writes ascending eigenvalues to `values` and eigenvectors (columns) to `vectors`.
 */
export function jacobiEigenInPlace(a: ArrayLike<number>, n: number, values: Float64Array, vectors: Float64Array): void {
  if (n > MAX_N) throw new RangeError(`jacobiEigenInPlace: n ≤ ${MAX_N}`);
  const w = work;
  const v = workVectors;
  let scale = 0;
  for (let i = 0; i < n * n; i++) {
    w[i] = a[i] as number;
    v[i] = 0;
    scale = Math.max(scale, Math.abs(w[i] as number));
  }
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += (w[p * n + q] as number) ** 2;
    if (off === 0 || Math.sqrt(off) < 1e-18 * scale) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = w[p * n + q] as number;
        if (apq === 0) continue;
        const app = w[p * n + p] as number;
        const aqq = w[q * n + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = w[k * n + p] as number;
          const akq = w[k * n + q] as number;
          w[k * n + p] = c * akp - s * akq;
          w[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = w[p * n + k] as number;
          const aqk = w[q * n + k] as number;
          w[p * n + k] = c * apk - s * aqk;
          w[q * n + k] = s * apk + c * aqk;
        }
        w[p * n + q] = 0;
        w[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] as number;
          const vkq = v[k * n + q] as number;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) order[i] = i;
  // insertion sort of indices by eigenvalue
  for (let i = 1; i < n; i++) {
    const oi = order[i] as number;
    let j = i - 1;
    while (j >= 0 && (w[(order[j] as number) * n + (order[j] as number)] as number) > (w[oi * n + oi] as number)) {
      order[j + 1] = order[j] as number;
      j--;
    }
    order[j + 1] = oi;
  }
  for (let k = 0; k < n; k++) {
    const src = order[k] as number;
    values[k] = w[src * n + src] as number;
    for (let r = 0; r < n; r++) vectors[r * n + k] = v[r * n + src] as number;
  }
}
