/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011; the generator of
 * Random123, numpy's Philox, JAX and cuRAND): a counter-based generator. Block k of the stream keyed by
 * (seed, subject) is a pure function of (seed, subject, k), so a virtual patient gets the same numbers whichever
 * worker, shard or order simulates it — the reproducibility that trials split over threads need.
 *
 * Hand-written because it is ten rounds of 32-bit multiplies: the high half of a 32×32-bit product is taken from
 * 16-bit halves (JavaScript has no 64-bit integer multiply on numbers). Checked against the Random123 known-answer
 * vectors in the tests.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the unsigned 64-bit product a·b (a, b unsigned 32-bit). */
function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lolo = aLo * bLo;
  const hilo = aHi * bLo;
  const lohi = aLo * bHi;
  const hihi = aHi * bHi;
  const cross = (lolo >>> 16) + (hilo & 0xffff) + (lohi & 0xffff);
  return (hihi + (hilo >>> 16) + (lohi >>> 16) + Math.floor(cross / 65536)) >>> 0;
}

/**
 * One Philox4x32-10 block: counter (c0..c3) and key (k0, k1), all unsigned 32-bit; writes 4 unsigned 32-bit
 * outputs into `out`.
 */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

/** A seed as two 32-bit key words: integers 0 … 2^53 − 1. */
function seedKey(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`a seed is an integer from 0 to 2^53 - 1, got ${seed}`);
  return [seed >>> 0, Math.floor(seed / 4294967296) >>> 0];
}

/**
 * The random stream of one subject: uniforms in (0, 1) and standard normals, drawn in order from the blocks
 * (seed, subject, stream, k) for k = 0, 1, 2… `stream` separates independent uses for the same subject
 * (random effects, covariates, residual error, dropout) so that adding one does not shift the others.
 */
export class SubjectRandom {
  private readonly k0: number;
  private readonly k1: number;
  private readonly block = new Uint32Array(4);
  private counter = 0;
  private used = 4;

  constructor(
    seed: number,
    readonly subject: number,
    readonly stream = 0,
  ) {
    [this.k0, this.k1] = seedKey(seed);
    if (!Number.isSafeInteger(subject) || subject < 0) throw new RangeError(`subject index must be a non-negative integer, got ${subject}`);
    if (!Number.isInteger(stream) || stream < 0 || stream > 0xffffffff) throw new RangeError(`stream must be a 32-bit unsigned integer, got ${stream}`);
  }

  private next32(): number {
    if (this.used === 4) {
      philox4x32(this.counter >>> 0, this.subject >>> 0, Math.floor(this.subject / 4294967296) >>> 0, this.stream, this.k0, this.k1, this.block);
      this.counter++;
      this.used = 0;
    }
    return this.block[this.used++] as number;
  }

  /** Uniform on the open interval (0, 1), 53 random bits. */
  uniform(): number {
    const hi = this.next32() >>> 5; // 27 bits
    const lo = this.next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  }

  /** Standard normal by inversion (one uniform per draw: streams stay aligned whatever is drawn). */
  normal(): number {
    return normalQuantile(this.uniform());
  }
}

/**
 * Quantile of the standard normal distribution: Wichura's algorithm AS 241 (PPND16), relative accuracy about
 * 1e-16 over (0, 1). The coefficients are quoted verbatim from the paper (more digits than a double holds).
 */
/* eslint-disable no-loss-of-precision */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new RangeError(`normalQuantile: p must be in [0, 1], got ${p}`);
  }
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    x =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -x : x;
}
/* eslint-enable no-loss-of-precision */
