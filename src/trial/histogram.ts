/**
 * A mergeable histogram of doubles on a fixed, universal binning: a value's bin is its sign, its binary exponent
 * and the top 8 bits of its mantissa (an "HDR" histogram), so bins are at most 2^-8 ≈ 0.39 % of the value wide
 * at any magnitude and need no declared range. Counts are integers in a sparse map, so two histograms merge by
 * adding counts: the result does not depend on how the values were split. Percentiles are read off the bins
 * (linear within a bin) and clamped to the exact minimum and maximum, which are kept too.
 *
 * The bin is read from the IEEE-754 bits with an explicit byte order (DataView), so it is the same on every
 * machine. Pure.
 */

const MANTISSA_BITS = 8;
const SHIFT = 20 - MANTISSA_BITS; // the high 32-bit word has 1 sign, 11 exponent and 20 mantissa bits
const view = new DataView(new ArrayBuffer(8));

function binOf(x: number): number {
  view.setFloat64(0, x === 0 ? 0 : x, false); // -0 → +0
  return view.getUint32(0, false) >>> SHIFT;
}

/** The value whose high word is `bin << SHIFT` (low bits 0): the edge of the bin nearest to zero. */
function edge(bin: number): number {
  view.setUint32(0, (bin << SHIFT) >>> 0, false);
  view.setUint32(4, 0, false);
  return view.getFloat64(0, false);
}

const SIGN_BIN = 1 << (31 - SHIFT);

/** Lower and upper value of a bin. */
function bounds(bin: number): [number, number] {
  if (bin < SIGN_BIN) return [edge(bin), edge(bin + 1)];
  return [edge(bin + 1), edge(bin)]; // negative: the bin's magnitude grows with the index
}

export interface HistogramState {
  readonly count: number;
  readonly min: number | null;
  readonly max: number | null;
  /** [bin, count] pairs, bins ascending. */
  readonly bins: readonly (readonly [number, number])[];
}

export class Histogram {
  private readonly counts = new Map<number, number>();
  count = 0;
  min = Infinity;
  max = -Infinity;

  /** Add a finite value (non-finite values are ignored: callers count them). */
  add(x: number): void {
    if (!Number.isFinite(x)) return;
    const b = binOf(x);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
    this.count++;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  merge(other: Histogram): void {
    for (const [b, c] of other.counts) this.counts.set(b, (this.counts.get(b) ?? 0) + c);
    this.count += other.count;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /**
   * Quantile p (0…1), type 7 (linear between the order statistics around (n − 1)·p, as R's default) with each
   * order statistic placed evenly within its bin; NaN for an empty histogram.
   */
  quantile(p: number): number {
    if (this.count === 0) return Number.NaN;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
    const sorted = [...this.counts.entries()].map(([b, c]) => ({ b: bounds(b), c })).sort((x, y) => x.b[0] - y.b[0]);
    const h = (this.count - 1) * p;
    const lo = Math.floor(h);
    const order = (k: number): number => {
      let before = 0;
      for (const { b, c } of sorted) {
        if (k < before + c) return b[0] + ((k - before + 0.5) / c) * (b[1] - b[0]);
        before += c;
      }
      return this.max;
    };
    const a = order(lo);
    const v = h === lo ? a : a + (h - lo) * (order(Math.min(lo + 1, this.count - 1)) - a);
    return Math.min(this.max, Math.max(this.min, v));
  }

  toJSON(): HistogramState {
    return {
      count: this.count,
      min: this.count > 0 ? this.min : null,
      max: this.count > 0 ? this.max : null,
      bins: [...this.counts.entries()].sort((a, b) => a[0] - b[0]),
    };
  }

  static fromJSON(s: HistogramState): Histogram {
    const h = new Histogram();
    for (const [b, c] of s.bins) h.counts.set(b, c);
    h.count = s.count;
    h.min = s.min ?? Infinity;
    h.max = s.max ?? -Infinity;
    return h;
  }
}
