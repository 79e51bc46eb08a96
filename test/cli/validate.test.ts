/**
 * `ketasim validate` as a user runs it (the built bin/ketasim.js): the table and summary, exit codes (0 all pass or
 * known misses, 1 a target fails or a file is invalid, 2 bad usage), JSON, and the HTML report (disclaimer, SVG
 * charts, every target).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISCLAIMER } from '../../src/cli/main.js';
import { ketasim, scratch } from './helpers.js';

const { dir, file } = scratch('ketasim-validate-');

const oneTarget = (published: number, extra = ''): string => `model: ketamine-racemic
references:
  hasan2021: "Hasan M et al. Anesthesiology 2021;135(2):326-339."
targets:
  - id: my-hasan-cmax
    description: IV 5 mg over 30 min, Cmax
    source: hasan2021
    use: check
    scenario:
      doses: [{ route: iv, amount: 5 mg, over: 30 min, hours: [0] }]
      follow_up: 1 d
    metric: { type: cmax, output: CP }
    published: { value: ${published}, sd: 9.4 }
    tolerance: { relative: 0.4 }
${extra}`;

describe('ketasim validate', () => {
  it('prints the table of every target and a summary; known misses do not fail the run (exit 0)', () => {
    const r = ketasim('validate');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^id\s+model\s+use\s+published\s+predicted\s+unit\s+error\s+tolerance\s+vs published\s+status$/);
    expect(r.stdout).toMatch(/hasan2021-iv5-cmax\s+ketamine-racemic\s+check\s+32\.1 ± 9\.4 SD\s+28(\.0)?\s+ng\/mL\s+−1\d%\s+±1 SD\s+−0\.\d SD\s+PASS/);
    expect(r.stdout).toMatch(/grant1981-oral-0\.5mgkg-cmax .* KNOWN MISS/);
    expect(r.stdout).toMatch(/perezruixo2021-in28-esk-cmax\s+esketamine-in-perezruixo/);
    expect(r.stdout).toMatch(/^calibration: \d+ pass, 0 fail; check: \d+ pass, 0 fail, \d+ known misses \(\d+ targets\)$/m);
    expect(r.stdout).toContain(DISCLAIMER);
  });

  it('--model and --target select targets (patterns with *)', () => {
    const r = ketasim('validate', '--model', 'ketamine-racemic', '--target', 'chong2006-*-nk-tmax');
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('chong2006-'));
    expect(rows).toHaveLength(3);
    expect(r.stdout).not.toMatch(/perezruixo/);
  });

  it('--json gives the summary and one object per target', () => {
    const r = ketasim('validate', '--model', 'esketamine-in-perezruixo', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { summary: { failures: number; total: number }; targets: Array<{ id: string; predicted: number; status: string; published: { value: number } }> };
    expect(json.summary.failures).toBe(0);
    expect(json.targets).toHaveLength(json.summary.total);
    const cmax = json.targets.find((t) => t.id === 'perezruixo2021-in56-esk-cmax');
    expect(cmax?.published.value).toBe(72.5);
    expect(Math.abs((cmax?.predicted ?? 0) / 72.5 - 1)).toBeLessThan(0.05);
  });

  it('--report writes a standalone HTML report with the disclaimer, the table and SVG plots', () => {
    const out = join(dir, 'validation.html');
    const r = ketasim('validate', '--model', 'ketamine-racemic', '--report', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Wrote ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(DISCLAIMER.replace(/'/g, '&#39;'));
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(5); // predicted-vs-published, ratios, curves
    expect(html).toContain('Predicted against published');
    expect(html).toContain('hasan2021-iv5-cmax');
    expect(html).toContain('KNOWN MISS');
    expect(html).toContain('Misses and failures');
    expect(html).not.toMatch(/<script/i);
  });

  it('a target outside its tolerance fails: FAIL in the table, exit 1, the target named on stderr', () => {
    const r = ketasim('validate', '--files', file('wrong.yaml', oneTarget(100)));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/my-hasan-cmax .* FAIL$/m);
    expect(r.stdout).toMatch(/check: 0 pass, 1 fail/);
    expect(r.stderr).toMatch(/ketasim: 1 of 1 validation targets failed: my-hasan-cmax/);
    expect(ketasim('validate', '--files', file('right.yaml', oneTarget(32.1))).code).toBe(0);
  });

  it('a stale expected_miss (the target now passes) fails the run', () => {
    const r = ketasim('validate', '--files', file('stale.yaml', oneTarget(32.1, '    expected_miss: true\n    note: was a miss\n')));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/expected miss now passes: remove expected_miss/);
  });

  it('an invalid validation file exits 1 naming the file, the path and the line', () => {
    const bad = file('bad.yaml', oneTarget(32.1).replace('type: cmax', 'type: peak'));
    const r = ketasim('validate', '--files', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml: targets\[1\]\.metric\.type: .*\(line 12\)/);
  });

  it('bad usage exits 2', () => {
    expect(ketasim('validate', '--model', 'no-such-model').code).toBe(2);
    expect(ketasim('validate', '--target', 'no-such-target').code).toBe(2);
    expect(ketasim('validate', '--files', join(dir, 'missing')).code).toBe(2);
    expect(ketasim('validate', '--bogus').code).toBe(2);
  });

  it('--files takes a directory; a model given as a path is found relative to its validation file', () => {
    const r = ketasim('validate', '--files', 'test/fixtures/validation/targets', '--target', 'fixture-clearance-ratio');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fixture-clearance-ratio\s+\.\.\/depression-fixture\.yaml\s+check\s+2\s+2\s+ratio/);
  });
});
