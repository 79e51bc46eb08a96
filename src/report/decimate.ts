/**
 * Min/max-preserving decimation of long series (the M4 scheme of Jugel et al., VLDB 2014), so that a plot
 * of 10k–100k points stays a small SVG and still shows every peak and trough.
 *
 * The x range is cut into equal-width buckets (equal-count buckets when x is not sorted). In each bucket the
 * first point, the last point, and the points holding the minimum and the maximum of every value channel are
 * kept; everything else is dropped. Kept points are returned in their original order and are original points
 * (nothing is averaged or invented). Consequences:
 * - the first and last points of the series are kept;
 * - the global minimum and maximum of each channel are kept (each is the extreme of its own bucket);
 * - drawn as a line at a width of about `buckets` pixels the result is visually identical to the full series.
 *
 * Points with a non-finite x or channel value cannot be drawn and are removed before decimation.
 */

/** A numeric accessor: the x coordinate or one value channel of a point. */
export type Accessor<T> = (point: T) => number;

/** Default maximum number of points kept per series by the chart builders. */
export const DEFAULT_MAX_POINTS = 2000;

/**
 * Keep at most `maxPoints` points of `points` (sorted by x for best results), preserving the first and last
 * points and the minimum and maximum of each channel in every bucket. Returns a new array (or a copy of the
 * finite points if there are no more than `maxPoints` of them).
 */
export function decimate<T>(
  points: readonly T[],
  maxPoints: number,
  x: Accessor<T>,
  channels: readonly Accessor<T>[],
): T[] {
  const finite = points.filter((p) => Number.isFinite(x(p)) && channels.every((c) => Number.isFinite(c(p))));
  const n = finite.length;
  if (!(maxPoints >= 4)) throw new RangeError(`decimate: maxPoints must be at least 4, got ${maxPoints}`);
  if (n <= maxPoints) return finite;

  // Per bucket: first, last, and argmin/argmax of each channel. Two slots are kept for the global first/last.
  const perBucket = 2 + 2 * channels.length;
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / perBucket));

  const x0 = x(finite[0] as T);
  const xN = x(finite[n - 1] as T);
  let sorted = xN > x0;
  for (let i = 1; sorted && i < n; i++) if (x(finite[i] as T) < x(finite[i - 1] as T)) sorted = false;
  const bucketOf = sorted
    ? (i: number) => Math.min(buckets - 1, Math.floor(((x(finite[i] as T) - x0) / (xN - x0)) * buckets))
    : (i: number) => Math.min(buckets - 1, Math.floor((i * buckets) / n));

  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const nc = channels.length;
  const minIdx = new Int32Array(nc);
  const maxIdx = new Int32Array(nc);
  const minVal = new Float64Array(nc);
  const maxVal = new Float64Array(nc);
  let start = 0;
  while (start < n) {
    const b = bucketOf(start);
    let end = start + 1;
    while (end < n && bucketOf(end) === b) end++;
    keep[start] = 1;
    keep[end - 1] = 1;
    minIdx.fill(start);
    maxIdx.fill(start);
    for (let c = 0; c < nc; c++) minVal[c] = maxVal[c] = (channels[c] as Accessor<T>)(finite[start] as T);
    for (let i = start + 1; i < end; i++) {
      const p = finite[i] as T;
      for (let c = 0; c < nc; c++) {
        const v = (channels[c] as Accessor<T>)(p);
        if (v < (minVal[c] as number)) {
          minVal[c] = v;
          minIdx[c] = i;
        }
        if (v > (maxVal[c] as number)) {
          maxVal[c] = v;
          maxIdx[c] = i;
        }
      }
    }
    for (let c = 0; c < nc; c++) {
      keep[minIdx[c] as number] = 1;
      keep[maxIdx[c] as number] = 1;
    }
    start = end;
  }
  const out: T[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(finite[i] as T);
  return out;
}
