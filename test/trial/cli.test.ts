import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ketasim, scratch } from '../cli/helpers.js';
import { summarySchema } from '../../src/trial/summary.js';

const DESIGN = `
name: reproducibility check
model: ketamine-depression
seed: 99
duration: 5 d
visits: { days: "0:5", hours: [2] }
arms:
  - { name: ketamine, n: 37, doses: [{ route: iv, amount: 0.5 mg/kg, over: 40 min, days: [0, 2] }] }
  - { name: saline, n: 23, doses: [{ route: saline, amount: 1 mg, days: [0, 2] }] }
occasion_variability: { ETA_PLACEBO: 0.3 }
dropout: { per_visit: 0.05, missing: locf }
inclusion: { BASE_MADRS: { min: 24 } }
`;

describe('ketasim trial', () => {
  const s = scratch('ketasim-trial-');
  const design = s.file('design.yaml', DESIGN);

  it('gives bit-identical summaries for 1, 2 and 4 workers and for 3 shards merged', () => {
    const outs = [1, 2, 4].map((w) => {
      const dir = join(s.dir, `w${w}`);
      const r = ketasim('trial', '--design', design, '--workers', String(w), '--out', dir, '--no-progress');
      expect(r.stderr).toContain('patients in');
      expect(r.code).toBe(0);
      return readFileSync(join(dir, 'summary.json'), 'utf8');
    });
    expect(outs[1]).toBe(outs[0]);
    expect(outs[2]).toBe(outs[0]);
    const shards = join(s.dir, 'shards');
    for (const i of [1, 2, 3]) expect(ketasim('trial', '--design', design, '--shard', `${i}/3`, '--workers', String(i), '--out', shards).code).toBe(0);
    const files = readdirSync(shards).filter((f) => f.startsWith('shard-')).map((f) => join(shards, f));
    expect(files).toHaveLength(3);
    const merged = join(s.dir, 'merged');
    const m = ketasim('trial', 'merge', ...files, '--out', merged, '--report');
    expect(m.code).toBe(0);
    expect(readFileSync(join(merged, 'summary.json'), 'utf8')).toBe(outs[0]);
    // The report of the merged shards is the report of the unsharded summary (apart from the footer: time, command).
    expect(m.stderr).toContain(join(merged, 'report.html'));
    const again = ketasim('trial', 'report', join(s.dir, 'w1', 'summary.json'), '--out', join(s.dir, 'w1.html'));
    expect(again.code).toBe(0);
    const body = (file: string): string => readFileSync(file, 'utf8').replace(/<footer>[\s\S]*<\/footer>/, '');
    expect(body(join(merged, 'report.html'))).toBe(body(join(s.dir, 'w1.html')));
    expect(body(join(merged, 'report.html'))).toContain('<h2>Time to response and relapse</h2>');
    expect(readFileSync(join(merged, 'report.html'), 'utf8')).toContain(`ketasim trial merge ${files.join(' ')}`);
    // A shard has no summary to report; a file that is not a summary is refused.
    expect(ketasim('trial', '--design', design, '--shard', '1/3', '--report', '--out', shards).code).toBe(2);
    const notSummary = ketasim('trial', 'report', files[0] as string);
    expect(notSummary.code).toBe(1);
    expect(notSummary.stderr).toContain('not a trial summary (format "ketasim-trial-shard/1"');
    const summary = summarySchema.parse(JSON.parse(outs[0] as string));
    expect(summary.arms.map((a) => a.n)).toEqual([37, 23]);
    expect(summary.comparisons[0]?.treatment).toBe('ketamine');
    // Another seed gives other numbers.
    const other = ketasim('trial', '--design', design, '--seed', '100', '--out', join(s.dir, 'seed100'));
    expect(other.code).toBe(0);
    expect(readFileSync(join(s.dir, 'seed100', 'summary.json'), 'utf8')).not.toBe(outs[0]);
    // Missing shard, duplicate shard.
    const bad = ketasim('trial', 'merge', files[0] as string, files[1] as string, '--out', merged);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('missing shard(s) 3/3');
  });

  it('writes one subjects.csv row per patient, in subject order, whatever the workers', () => {
    const a = ketasim('trial', '--design', design, '--workers', '1', '--subjects', '--out', join(s.dir, 'sa'));
    const b = ketasim('trial', '--design', design, '--workers', '3', '--subjects', '--out', join(s.dir, 'sb'));
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const csv = readFileSync(join(s.dir, 'sa', 'subjects.csv'), 'utf8');
    expect(readFileSync(join(s.dir, 'sb', 'subjects.csv'), 'utf8')).toBe(csv);
    const lines = csv.trim().split('\n');
    expect(lines).toHaveLength(61);
    expect(lines[0]).toMatch(/^ARM,ID,WT,AGE,SEX,BASE_MADRS,LAST_VISIT_H,MADRS_0H,/);
    expect(lines[1]).toMatch(/^ketamine,1,/);
    expect(lines[60]).toMatch(/^saline,60,/);
    // The safety endpoints' hits (0/1) close each row; the summary's counts are their sums.
    expect(lines[0]).toMatch(/,"SAFETY: CADSS > 4","SAFETY: SBP rise ≥ 40 mmHg or DBP rise ≥ 25 mmHg","SAFETY: SBP > 180 mmHg or DBP > 110 mmHg"$/);
    const summary = JSON.parse(readFileSync(join(s.dir, 'sa', 'summary.json'), 'utf8')) as { arms: { name: string; thresholds: { share: { count: number } }[] }[] };
    const cadssHits = (arm: string): number => lines.slice(1).filter((l) => l.startsWith(`${arm},`) && l.split(',').at(-3) === '1').length;
    for (const arm of summary.arms) expect(cadssHits(arm.name)).toBe(arm.thresholds[0]?.share.count);
    // Inclusion: every baseline MADRS ≥ 24.
    for (const l of lines.slice(1)) expect(Number(l.split(',')[5])).toBeGreaterThanOrEqual(24);
  });

  it('names the field of a bad design and exits 1; usage errors exit 2', () => {
    const bad = s.file('bad.yaml', DESIGN.replace('amount: 0.5 mg/kg', 'amount: 0.5 mg/kgg'));
    const r = ketasim('trial', '--design', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('arms[1]');
    const bad2 = s.file('bad2.yaml', DESIGN.replace('n: 23', 'n: -3'));
    const r2 = ketasim('trial', '--design', bad2);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('arms[2].n');
    const bad3 = s.file('bad3.yaml', DESIGN.replace('ETA_PLACEBO: 0.3', 'ETA_PLACEBOX: 0.3'));
    expect(ketasim('trial', '--design', bad3).stderr).toContain('occasion_variability.ETA_PLACEBOX: model ketamine-depression has no random effect');
    expect(ketasim('trial').code).toBe(2);
    expect(ketasim('trial', '--design', design, '--shard', '4/3').code).toBe(1);
  });
});
