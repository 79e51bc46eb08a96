/**
 * The README's examples are real: the library example is the file examples/library/quick-start.ts (checked to
 * be identical to the README's code block) and it runs; the CLI commands the README shows work.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('shows the library example exactly as examples/library/quick-start.ts', () => {
    const example = readFileSync(join(root, 'examples/library/quick-start.ts'), 'utf8').trim();
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => (m[1] ?? '').trim());
    expect(blocks).toContain(example.replaceAll('../../src/index.js', 'ketasim'));
  });

  it('the library example runs and finds the end-of-infusion peak', async () => {
    const { result } = await import('../examples/library/quick-start.js');
    const cp = result.values[result.outputNames.indexOf('CP')] as Float64Array;
    const peak = Math.max(...cp);
    // 0.5 mg/kg over 40 min: the Domino model peaks at the end of the infusion, a few hundred ng/mL
    expect(peak).toBeGreaterThan(100);
    expect(peak).toBeLessThan(1000);
  });

  it('the main job (ketasim demo) writes its files and a summary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ketasim-demo-'));
    const out = execFileSync(process.execPath, [join(root, 'bin/ketasim.js'), 'demo', '--out-dir', dir, '--patients', '50'], { encoding: 'utf8' });
    expect(out).toMatch(/35 mg iv over 40 min/);
    expect(out).toMatch(/MADRS/);
    expect(out).toMatch(/response/);
    expect(out).toMatch(/not a medical device/);
    const csv = readFileSync(join(dir, 'table.csv'), 'utf8').split('\n');
    expect(csv[0]).toMatch(/^TIME_H,TIME_D,.*MADRS_median/);
    expect(csv.length).toBeGreaterThan(1000);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<svg');
  });
});

describe('docs', () => {
  it('docs/data-sets.md and docs/expressions.md match the module documentation they are generated from', () => {
    const r = execFileSync(process.execPath, [join(root, 'scripts/docs.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(r).toBe('');
  });
});
