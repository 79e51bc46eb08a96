import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Parser } from 'htmlparser2';
import { parseDesign } from '../../src/trial/design.js';
import { parseTrialSummary, trialReport } from '../../src/trial/report.js';
import type { TrialSummary } from '../../src/trial/summary.js';
import { runTrial, summaryOf } from '../../src/node/trial-run.js';
import { htmlNestingProblems, htmlText, svgTexts } from '../report/helpers.js';
import { parse as parseYaml } from 'yaml';

const DESIGN = `
name: report check
model: ketamine-depression
seed: 5
duration: 10 d
visits: { days: "0:10", hours: [4] }
arms:
  - { name: ketamine, n: 30, doses: [{ route: iv, amount: 0.5 mg/kg, over: 40 min, days: [0, 2] }] }
  - { name: saline, n: 20, doses: [{ route: saline, amount: 1 mg, days: [0, 2] }] }
control: saline
dropout: { per_visit: 0.03 }
residual: { MADRS: none }
`;

const DISCLAIMER = 'ketasim is research and education software, not a medical device.';

let cached: TrialSummary | undefined;
async function summary(): Promise<TrialSummary> {
  if (cached === undefined) {
    const design = parseDesign(parseYaml(DESIGN), 'report.yaml');
    cached = summaryOf(await runTrial({ design, source: 'report.yaml', modelRef: design.model }, { workers: 1 }));
  }
  return cached;
}

/** The <svg> elements of a page, and the headings (h2). */
function structure(html: string): { svgs: string[]; headings: string[]; scripts: number } {
  const svgs: string[] = [];
  const headings: string[] = [];
  let scripts = 0;
  let depth = 0;
  let start = 0;
  let inH2 = false;
  let h2 = '';
  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'script') scripts++;
        if (name === 'svg') {
          if (depth === 0) start = parser.startIndex;
          depth++;
        }
        if (name === 'h2') {
          inH2 = true;
          h2 = '';
        }
      },
      ontext(t) {
        if (inH2) h2 += t;
      },
      onclosetag(name) {
        if (name === 'svg') {
          depth--;
          if (depth === 0) svgs.push(html.slice(start, parser.endIndex + 1));
        }
        if (name === 'h2') {
          inH2 = false;
          headings.push(h2);
        }
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return { svgs, headings, scripts };
}

describe('trial report', () => {
  it('has the design, the charts and the tables of a small trial, with its numbers', async () => {
    const s = await summary();
    const html = await trialReport(s, { disclaimer: DISCLAIMER, generatedAt: '2026-01-01T00:00:00Z', provenance: { ketasim: '9.9.9', Command: 'ketasim trial --design report.yaml' } });
    expect(htmlNestingProblems(html)).toEqual([]);
    const { svgs, headings, scripts } = structure(html);
    expect(scripts).toBe(0);
    expect(html).toContain("default-src 'none'");
    expect(headings).toEqual([
      'Contents',
      'Design',
      'Key results',
      'MADRS over time',
      'Response and remission',
      'Time to response and relapse',
      'Safety',
      'Comparisons with the control arm',
      'Endpoints at each visit',
      'Methods',
    ].filter((h) => h !== 'Contents'));
    // Mean change, percentile bands per arm, response, remission, two Kaplan–Meier charts, safety boxes
    // (CADSS peak; SBP and DBP peak and rise) and the threshold shares.
    expect(svgs).toHaveLength(1 + 2 + 2 + 2 + 5 + 1);
    const titles = [
      'Mean change in MADRS from baseline',
      'MADRS: ketamine',
      'MADRS: saline',
      'Response: ≥ 50% reduction from baseline (visit at time 0)',
      'Remission: MADRS < 10',
      'Time to response',
      'Time to relapse among responders',
      'Peak CADSS per patient',
      'Peak SBP per patient',
      'Largest SBP rise over the value at time 0',
      'Peak DBP per patient',
      'Largest DBP rise over the value at time 0',
      'Patients above the safety thresholds',
    ];
    titles.forEach((title, i) => expect(svgTexts(svgs[i] as string)).toContain(title));
    if (process.env.KETASIM_REPORT_OUT !== undefined) writeFileSync(process.env.KETASIM_REPORT_OUT, html);
    // The Kaplan–Meier chart marks the medians, the CADSS chart its threshold.
    const ket = s.arms[0] as TrialSummary['arms'][number];
    expect(ket.time_to_response.median_h).not.toBeNull();
    expect(svgTexts(svgs[5] as string).some((t) => t.startsWith('median ketamine:'))).toBe(true);
    expect(svgTexts(svgs[7] as string)).toContain('CADSS > 4');
    expect(svgTexts(svgs[12] as string)).toEqual(expect.arrayContaining(['CADSS > 4', 'SBP rise ≥ 40 mmHg or DBP rise ≥ 25 mmHg', 'ketamine', 'saline']));
    // Each part of an either-or condition marks its own output's chart.
    expect(svgTexts(svgs[9] as string)).toContain('SBP rise ≥ 40 mmHg');
    expect(svgTexts(svgs[11] as string)).toContain('DBP rise ≥ 25 mmHg');

    const text = htmlText(html);
    for (const expected of [
      DISCLAIMER,
      s.disclaimer,
      'report check',
      'ketamine-depression',
      `seed ${s.design.seed}`,
      'iv 0.5 mg/kg over 40 min days 0,2',
      'ketasim trial --design report.yaml',
      '9.9.9',
      'per_visit' in {} ? '' : 'probability 0.03 before each visit',
      'BASE_MADRS',
      'Perez-Ruixo',
      'safety thresholds on model peaks (no measurement error)',
    ])
      expect(text).toContain(expected);
    // The day-1 numbers of each arm, as in summary.json.
    for (const a of s.arms) {
      const v = a.visits.find((x) => x.time_h === 24) as TrialSummary['arms'][number]['visits'][number];
      expect(text).toContain(`${(v.change.mean as number).toFixed(1)} (${(v.change.ci95[0] as number).toFixed(1)} to ${(v.change.ci95[1] as number).toFixed(1)})`);
      expect(text).toContain(`${((v.response.rate as number) * 100).toFixed(1)}% (${((v.response.ci95[0] as number) * 100).toFixed(1)}% to ${((v.response.ci95[1] as number) * 100).toFixed(1)}%); ${v.response.count}/${v.response.n}`);
    }
    const d1 = s.comparisons[0]?.visits.find((v) => v.time_h === 24);
    expect(text).toContain(`${(d1?.change.estimate as number).toFixed(1)} (${(d1?.change.ci95[0] as number).toFixed(1)} to ${(d1?.change.ci95[1] as number).toFixed(1)})`);
    const cadss = ket.thresholds.find((x) => x.condition === 'CADSS > 4');
    expect(text).toContain(`${cadss?.share.count}/${cadss?.share.n}`);
  }, 60_000);

  it('is the same from the summary as read back from summary.json (e.g. merged shards)', async () => {
    const s = await summary();
    const opts = { disclaimer: DISCLAIMER, generatedAt: '2026-01-01T00:00:00Z' };
    const a = await trialReport(s, opts);
    const b = await trialReport(JSON.parse(JSON.stringify(s)) as unknown, opts);
    expect(b).toBe(a);
  }, 60_000);

  it('refuses input that is not a trial summary, naming the field', async () => {
    const s = await summary();
    expect(() => parseTrialSummary([], 'x.json')).toThrow('x.json: not a trial summary (expected a JSON object)');
    expect(() => parseTrialSummary({ format: 'ketasim-trial-shard/1' }, 'x.json')).toThrow('expected "ketasim-trial-summary/1"');
    const broken = JSON.parse(JSON.stringify(s)) as { arms: { visits: { change: { mean: unknown } }[] }[] };
    (broken.arms[1]?.visits[2] as { change: { mean: unknown } }).change.mean = 'low';
    expect(() => parseTrialSummary(broken, 'x.json')).toThrow(/^x\.json: arms\[1\]\.visits\[2\]\.change\.mean: /);
    await expect(trialReport({ format: 'ketasim-trial-summary/1' }, { disclaimer: DISCLAIMER })).rejects.toThrow('summary: ');
  }, 60_000);
});
