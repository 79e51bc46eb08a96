/** log Φ and erfc against scipy.special / scipy.stats (values printed by scipy 1.17.1). */
import { describe, expect, it } from 'vitest';
import { erfc, logNormCdf } from '../../src/fit/normal.js';

const LOG_CDF: ReadonlyArray<[number, number]> = [
  [-40, -804.6084420137539], [-20, -203.9171553710973], [-8, -35.01343715991456], [-3, -6.60772622151035],
  [-2.83, -6.063003425465196], [-1, -1.8410216450092634], [-0.1, -0.7761545927302733], [0, -0.6931471805599453],
  [0.5, -0.36894641528865635], [2.459, -0.006990608354952307], [2.9, -0.0018675560981809207], [5, -2.8665161296376294e-7],
  [9, -1.1285884059538324e-19],
];
const ERFC: ReadonlyArray<[number, number]> = [
  [-3, 1.9999779095030015], [-1, 1.8427007929497148], [0.3, 0.6713732405408726], [1.99, 0.004888586800383002],
  [2.01, 0.004475150644751764], [5, 1.5374597944280347e-12], [20, 5.395865611607901e-176],
];

describe('normal distribution', () => {
  it('log Φ agrees with scipy.stats.norm.logcdf to 1e-13 relative, from z = −40 to 9', () => {
    for (const [z, ref] of LOG_CDF) expect(Math.abs(logNormCdf(z) - ref) / Math.abs(ref)).toBeLessThan(1e-13);
  });
  it('erfc agrees with scipy.special.erfc to 1e-13 relative', () => {
    for (const [x, ref] of ERFC) expect(Math.abs(erfc(x) - ref) / ref).toBeLessThan(1e-13);
  });
  it('is continuous across the branch points', () => {
    for (const z of [-2 * Math.SQRT2, 2 * Math.SQRT2]) {
      expect(Math.abs(logNormCdf(z * (1 + 1e-12)) - logNormCdf(z * (1 - 1e-12)))).toBeLessThan(1e-10);
    }
  });
});
