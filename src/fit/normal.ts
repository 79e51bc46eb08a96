/**
 * The normal distribution's cumulative function and its logarithm to full double precision far into the tails,
 * for censored (below-LLOQ, scale-bound) likelihood terms: −2·log Φ(z) must stay finite and smooth where Φ(z)
 * underflows (z < −38), or the optimiser sees a cliff. JavaScript has no erf/erfc, so:
 *  - |x| < 2: erf from the series 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) (all terms positive: no cancellation);
 *  - x ≥ 2: erfc from its continued fraction (modified Lentz), kept in log form so that it never underflows.
 * Both are accurate to a few ulp (checked against scipy.special in test/fit/normal.test.ts).
 */

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT2 = Math.SQRT2;

/** erf(x) for |x| < 2.5 by the positive series. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

/** log(erfc(x)·e^(x²)·√π) for x ≥ 2 by the continued fraction erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
function logErfcScaledCf(x: number): number {
  // Lentz's algorithm for f = x + a1/(x + a2/(x + …)), a_k = k/2.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return -Math.log(f);
}

/** log erfc(x), finite for every finite x. */
export function logErfc(x: number): number {
  if (x >= 2) return -x * x - Math.log(SQRT_PI) + logErfcScaledCf(x);
  if (x > -2) return Math.log1p(-erfSeries(x));
  // x ≤ −2: erfc(x) = 2 − erfc(−x)
  const tail = Math.exp(-x * x - Math.log(SQRT_PI) + logErfcScaledCf(-x));
  return Math.log(2 - tail);
}

export function erfc(x: number): number {
  if (x >= 2) return Math.exp(logErfc(x));
  if (x > -2) return 1 - erfSeries(x);
  return 2 - Math.exp(logErfc(-x));
}

/** Φ(z), the standard normal cumulative distribution function. */
export function normCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** log Φ(z), accurate where Φ(z) underflows (z → −∞) and where it rounds to 1 (z → +∞). */
export function logNormCdf(z: number): number {
  const x = -z / SQRT2;
  if (x >= -2) return logErfc(x) - Math.LN2;
  // z > 2√2: Φ(z) = 1 − Φ(−z), with Φ(−z) small
  return Math.log1p(-0.5 * Math.exp(logErfc(-x)));
}
