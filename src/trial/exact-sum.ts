/**
 * Exact, order-independent floating-point sums: Shewchuk's partials ("Adaptive precision floating-point
 * arithmetic", 1997; the algorithm of Python's math.fsum). The partials represent the sum of everything added
 * exactly (non-overlapping doubles, increasing magnitude); `value()` rounds that exact sum correctly. The result
 * is therefore the same double whatever the order of the additions and however the values were split between
 * accumulators that are merged afterwards — what makes a trial's means and SDs bit-identical on 1, 2 or 4
 * workers and across shards.
 *
 * Squares are added exactly too: x² = hi + lo by Dekker's two-product (Veltkamp splitting; no FMA in JavaScript).
 * Pure; no allocation per addition once the partials list has its (small, bounded) length.
 */

const SPLITTER = 134217729; // 2^27 + 1

/** An exact sum of doubles. Values must be finite (non-finite values are the caller's to count separately). */
export class ExactSum {
  private partials: number[] = [];

  /** Add x exactly. */
  add(x: number): void {
    const p = this.partials;
    let i = 0;
    for (let j = 0; j < p.length; j++) {
      let y = p[j] as number;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    p.push(x);
  }

  /** Add x² exactly (two-product). */
  addSquare(x: number): void {
    const p = x * x;
    const c = SPLITTER * x;
    const hi = c - (c - x);
    const lo = x - hi;
    const err = hi * hi - p + 2 * hi * lo + lo * lo;
    this.add(p);
    if (err !== 0) this.add(err);
  }

  /** Add another exact sum (its partials), leaving it unchanged. */
  merge(other: ExactSum): void {
    for (const x of other.partials) this.add(x);
  }

  /** The correctly rounded value of the exact sum. */
  value(): number {
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    n -= 1;
    let hi = p[n] as number;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      n -= 1;
      const y = p[n] as number;
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    // Half-way cases: round-half-even on hi + lo could round the wrong way when the rest has the same sign.
    if (n > 0 && ((lo < 0 && (p[n - 1] as number) < 0) || (lo > 0 && (p[n - 1] as number) > 0))) {
      const y = lo * 2;
      const x = hi + y;
      const yr = x - hi;
      if (y === yr) hi = x;
    }
    return hi;
  }

  /** The partials (for serialisation); `fromPartials` restores an equal sum. */
  toJSON(): number[] {
    return [...this.partials];
  }

  static fromPartials(partials: readonly number[]): ExactSum {
    const s = new ExactSum();
    for (const x of partials) s.add(x);
    return s;
  }
}
