import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ketasim, root, scratch } from '../cli/helpers.js';
import type { TrialSummary } from '../../src/trial/summary.js';

/** The shipped example designs reproduce their calibration trials' published outcomes within the published uncertainty. */
function run(design: string): TrialSummary {
  const s = scratch('ketasim-example-');
  const r = ketasim('trial', '--design', join(root, 'examples/trials', design), '--out', s.dir);
  expect(r.stderr).toContain('patients in');
  expect(r.code).toBe(0);
  return JSON.parse(readFileSync(join(s.dir, 'summary.json'), 'utf8')) as TrialSummary;
}

/** Simulated mean agrees with the published one: |difference| ≤ 1.96 × √(SE published² + SE simulated²). */
function agrees(sim: { mean: number | null; sd: number | null; n: number }, published: number, publishedSe: number): void {
  const se = (sim.sd as number) / Math.sqrt(sim.n);
  expect(Math.abs((sim.mean as number) - published)).toBeLessThanOrEqual(1.96 * Math.hypot(se, publishedSe));
}

describe('example trial designs', () => {
  it('Murrough 2013: MADRS change at 24 h, ketamine -16.5 (SE 1.6, n 47) and midazolam -8.8 (SE 1.9, n 25)', () => {
    const s = run('murrough2013.yaml');
    const day1 = (arm: string): TrialSummary['arms'][number]['visits'][number] => s.arms.find((a) => a.name === arm)?.visits.find((v) => v.time_h === 24) as TrialSummary['arms'][number]['visits'][number];
    expect(day1('ketamine').change.n).toBe(47);
    expect(day1('midazolam').change.n).toBe(25);
    agrees(day1('ketamine').change, -16.5, 1.6);
    agrees(day1('midazolam').change, -8.8, 1.9);
    // The difference favours ketamine (published interaction p < 0.003).
    expect(s.comparisons[0]?.visits.find((v) => v.time_h === 24)?.change.ci95[1]).toBeLessThan(0);
  });

  it('Murrough 2013b: -18.9 (SD 6.6) at 2 h, 70.8% response at the end (CI 49-87%), median relapse 18 d', () => {
    const s = run('murrough2013b.yaml');
    const arm = s.arms[0] as TrialSummary['arms'][number];
    const at = (h: number): TrialSummary['arms'][number]['visits'][number] => arm.visits.find((v) => v.time_h === h) as TrialSummary['arms'][number]['visits'][number];
    agrees(at(2).change, -18.9, 6.6 / Math.sqrt(24));
    const response = at(288).response.rate as number;
    expect(response).toBeGreaterThanOrEqual(0.49);
    expect(response).toBeLessThanOrEqual(0.87);
    const relapse = arm.relapse;
    expect(relapse?.assessed_at_h).toBe(288);
    // The published median (about 17 responders) lies within the simulated median's 95% interval.
    expect(relapse?.median_ci95_d[0] as number).toBeLessThanOrEqual(18);
    expect((relapse?.median_ci95_d[1] ?? Infinity) as number).toBeGreaterThanOrEqual(18);
  });
});
