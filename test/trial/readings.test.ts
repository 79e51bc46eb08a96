/**
 * Safety thresholds judged on clinic readings (endpoints.readings): measurement error, rises over the session's
 * first reading, any session counts; either-or thresholds (any_of); the design's errors.
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseDesign, TrialError } from '../../src/trial/design.js';
import { planTrial } from '../../src/trial/plan.js';
import type { TrialSummary } from '../../src/trial/summary.js';
import { runTrial, summaryOf } from '../../src/node/trial-run.js';
import { loadModelByName } from '../../src/node/library.js';

/** Saline sessions (no drug: the model's SBP and DBP stay at the patient's baseline), readings with noise only. */
const design = (endpoints: string, extra = ''): string => `
name: readings check
model: ketamine-depression
seed: 11
duration: 28 d
visits: { days: [0, 28] }
arms:
  - { name: saline, n: 2000, doses: [{ route: saline, amount: 1 mg, days: [0, 3, 7, 10, 14, 17, 21, 24] }] }
endpoints:
  relapse: false
${endpoints}
${extra}
`;

async function run(text: string): Promise<TrialSummary> {
  const d = parseDesign(parseYaml(text), 'readings.yaml');
  return summaryOf(await runTrial({ design: d, source: 'readings.yaml', modelRef: d.model }, { workers: 1 }));
}

function normalUpperTail(z: number): number {
  // Abramowitz & Stegun 7.1.26 via erfc, |error| < 1.5e-7: enough for a Monte-Carlo comparison.
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return x >= 0 ? erfc / 2 : 1 - erfc / 2;
}

describe('clinic readings', () => {
  it('rises are over the session baseline reading, and any of the 8 sessions counts: the share matches 1 − (1 − p)^8', async () => {
    // Two readings per session with additive errors SD 5 (SBP) and 4 (DBP): the rise is the difference of two
    // independent errors, SD 5√2 and 4√2. P(rise ≥ 6) per session p, and the patient counts if any session does.
    const s = await run(
      design(
        `  safety:
    - { output: SBP, rise_at_least: 6 }
    - { any_of: [{ output: SBP, rise_at_least: 6 }, { output: DBP, rise_at_least: 6 }] }
    - { output: SBP, above: 1000 }
  readings: { times: [0 min, 40 min], source: test }`,
        'residual: { SBP: { additive: 5 }, DBP: { additive: 4 } }',
      ),
    );
    const arm = s.arms[0] as TrialSummary['arms'][number];
    const pSbp = normalUpperTail(6 / (5 * Math.SQRT2));
    const pDbp = normalUpperTail(6 / (4 * Math.SQRT2));
    const expected = [1 - (1 - pSbp) ** 8, 1 - ((1 - pSbp) * (1 - pDbp)) ** 8, 0];
    expect(arm.thresholds.map((t) => t.condition)).toEqual([
      'SBP rise ≥ 6 mmHg (readings)',
      'SBP rise ≥ 6 mmHg (readings) or DBP rise ≥ 6 mmHg (readings)',
      'SBP > 1000 mmHg (readings)',
    ]);
    arm.thresholds.forEach((t, j) => {
      const want = expected[j] as number;
      const se = Math.sqrt((want * (1 - want)) / 2000);
      expect(Math.abs((t.share.rate as number) - want), t.condition).toBeLessThanOrEqual(4 * se + 1e-12);
    });
    expect(s.design.readings).toContain('SBP, DBP read at 0 min, 40 min after the start of each dose');
  }, 60_000);

  it('without measurement error there are no rises on saline; on peaks (no readings) neither', async () => {
    const withReadings = await run(design(`  safety: [{ output: SBP, rise_above: 0 }]\n  readings: { times: [0 min, 40 min, 1.5 h] }`, 'residual: { SBP: none }'));
    expect(withReadings.arms[0]?.thresholds[0]?.share.rate).toBe(0);
    const onPeaks = await run(design(`  safety: [{ output: SBP, rise_above: 0 }]`));
    expect(onPeaks.arms[0]?.thresholds[0]?.condition).toBe('SBP rise > 0 mmHg');
    expect(onPeaks.arms[0]?.thresholds[0]?.share.rate).toBe(0);
  }, 60_000);

  it('design errors name the field', () => {
    const model = loadModelByName('ketamine-depression');
    const plan = (text: string): unknown => planTrial(parseDesign(parseYaml(text), 'readings.yaml'), model, 'readings.yaml');
    expect(() => plan(design(`  readings: { times: [40 min, 0 min] }`))).toThrow(/readings\.times\[2\].*must increase|must increase/);
    expect(() => plan(design(`  safety: [{ output: SBP, above: 180 }]\n  readings: { times: [0 min, 40 min], outputs: [DBP] }`))).toThrow(TrialError);
    expect(() => plan(design(`  safety: [{ output: SBP, above: 180 }]\n  readings: { times: [0 min, 40 min], outputs: [DBP] }`))).toThrow(/no safety threshold is on DBP/);
    expect(() => plan(design(`  safety: [{ output: SBP, above: 180 }]`, 'residual: { SBP: { additive: 5 } }'))).toThrow(/residual\.SBP/);
    expect(() => plan(design(`  safety: [{ output: SBP, rise_at_least: 40 }]\n  readings: { times: [40 min] }`))).toThrow(/readings\.times.*at least two reading times/);
    expect(() => plan(design(`  safety: [{ output: SBP, above: 180 }]\n  readings: { times: [40 min] }`))).not.toThrow();
  });
});
