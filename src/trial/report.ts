/**
 * The HTML report of a virtual trial, built from its summary alone (summary.json, format ketasim-trial-summary/1),
 * so a summary merged from shards gives the same report as the unsharded run. Pure (no I/O): charts with the
 * src/report builders (Vega-Lite → SVG, offline) and one self-contained page with htmlReport.
 *
 * Contents: the design (arms, N, regimens, population, inclusion, dropout, residual error, seed, model); mean change
 * from baseline ± 95 % CI per arm; percentile bands of the score per arm; response and remission rates with their
 * Wilson intervals; Kaplan–Meier curves of time to response and time to relapse with log–log bands and medians;
 * peak CADSS / blood-pressure distributions (from the summary's percentiles) and the shares above thresholds;
 * tables of the endpoints at every visit and of the comparisons with the control arm.
 */

import { formatDuration } from '../clinical/format.js';
import {
  bandChart,
  barChart,
  htmlReport,
  percentileChart,
  renderSvg,
  stepChart,
  type BandGroup,
  type ChartSpec,
  type Figure,
  type Interval,
  type ReferenceLine,
  type Section,
  type StepCurve,
  type Table,
  type XY,
} from '../report/index.js';
import { TrialError } from './design.js';
import { SUMMARY_FORMAT, summarySchema, type TrialSummary } from './summary.js';

export interface TrialReportOptions {
  /** Research-use disclaimer shown at the top (the summary's own disclaimer opens the Design section). */
  readonly disclaimer: string;
  readonly title?: string;
  /** Footer entries, e.g. { ketasim: '0.1.0', Command: 'ketasim trial …' }. */
  readonly provenance?: Readonly<Record<string, string>>;
  /** Default: now. Pass a fixed value for reports that can be diffed. */
  readonly generatedAt?: Date | string;
  /** Chart-rendering warnings (default: ignored). */
  readonly onWarning?: (message: string) => void;
}

type Arm = TrialSummary['arms'][number];
type Visit = Arm['visits'][number];
type Km = Arm['time_to_response'];

/**
 * Check that `data` is a trial summary (the zod schema of src/trial/summary.ts) and return it typed; a
 * TrialError names the file and the first field that is wrong otherwise.
 */
export function parseTrialSummary(data: unknown, source = 'summary'): TrialSummary {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new TrialError('not a trial summary (expected a JSON object)', source);
  const format = (data as { format?: unknown }).format;
  if (format !== SUMMARY_FORMAT)
    throw new TrialError(`not a trial summary (format ${JSON.stringify(format ?? null)}; expected "${SUMMARY_FORMAT}", as written by ketasim trial)`, source);
  const parsed = summarySchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
    throw new TrialError(`${path || '(top level)'}: ${issue?.message ?? 'invalid'}`, source);
  }
  return parsed.data;
}

// Formatting -------------------------------------------------------------------------------------------------

const DASH = '–';

function fixed(x: number | null, digits = 1): string {
  return x === null || !Number.isFinite(x) ? DASH : x.toFixed(digits);
}

function pct(x: number | null, digits = 0): string {
  return x === null || !Number.isFinite(x) ? DASH : `${(100 * x).toFixed(digits)}%`;
}

function ciText(ci: readonly [number | null, number | null], f: (x: number | null) => string): string {
  return ci[0] === null && ci[1] === null ? DASH : `${f(ci[0])} to ${f(ci[1])}`;
}

function meanCi(m: { mean: number | null; ci95: readonly [number | null, number | null] }, digits = 1): string {
  return m.mean === null ? DASH : `${fixed(m.mean, digits)} (${ciText(m.ci95, (x) => fixed(x, digits))})`;
}

function rateText(p: { count: number; n: number; rate: number | null; ci95: readonly [number | null, number | null] }): string {
  return p.n === 0 ? DASH : `${pct(p.rate, 1)} (${ciText(p.ci95, (x) => pct(x, 1))}); ${p.count}/${p.n}`;
}

function percentText(p: { p05: number | null; p25: number | null; p50: number | null; p75: number | null; p95: number | null }, digits = 1): string {
  return p.p50 === null ? DASH : `${fixed(p.p50, digits)} [${fixed(p.p25, digits)}–${fixed(p.p75, digits)}] (${fixed(p.p05, digits)}–${fixed(p.p95, digits)})`;
}

function diffText(d: { estimate: number | null; ci95: readonly [number | null, number | null] } | null, scale = 1, digits = 1, unit = ''): string {
  if (d === null || d.estimate === null) return DASH;
  const f = (x: number | null): string => (x === null ? DASH : `${(x * scale).toFixed(digits)}${unit}`);
  return `${f(d.estimate)} (${ciText(d.ci95, f)})`;
}

function kmMedian(median: number | null, ci: readonly [number | null, number | null], toUnit: (h: number) => string): string {
  const m = median === null ? 'not reached' : toUnit(median);
  const lo = ci[0] === null ? 'not reached' : toUnit(ci[0]);
  const hi = ci[1] === null ? 'not reached' : toUnit(ci[1]);
  return `${m} (95% CI ${lo} to ${hi})`;
}

/** A time in hours as people read it: "40 min", "4 h", "1 d 4 h" below 2 days, "3.5 d" from there. */
function timeText(h: number): string {
  return h < 48 ? formatDuration(h) : `${Number((h / 24).toPrecision(3))} d`;
}

/** Days for the axes and texts of trials longer than 2 days, hours otherwise. */
function timeAxis(s: TrialSummary): { unit: 'd' | 'h'; x: (h: number) => number } {
  return s.design.duration_h > 48 ? { unit: 'd', x: (h) => h / 24 } : { unit: 'h', x: (h) => h };
}

const present = <T>(x: T | null | undefined): x is T => x !== null && x !== undefined;

// Charts -----------------------------------------------------------------------------------------------------

/** Parse a threshold condition of the summary ("CADSS > 4", "SBP rise ≥ 40 mmHg"). */
function parseCondition(condition: string): { output: string; rise: boolean; value: number } | undefined {
  const m = /^(\S+)\s+(rise\s+)?(?:>|≥|>=)\s*(-?[\d.]+(?:e-?\d+)?)/.exec(condition);
  if (m === null) return undefined;
  return { output: m[1] as string, rise: m[2] !== undefined, value: Number(m[3]) };
}

function kmCurve(name: string, km: Km, start: number, x: (h: number) => number): StepCurve {
  const points: XY[] = [{ x: x(start), y: 100 }];
  const ci: Interval[] = [{ x: x(start), lower: 100, upper: 100 }];
  const censored: number[] = [];
  for (const st of km.steps) {
    if (st.time_h < start) continue;
    points.push({ x: x(st.time_h), y: 100 * st.survival });
    ci.push({ x: x(st.time_h), lower: 100 * (st.ci95[0] ?? st.survival), upper: 100 * (st.ci95[1] ?? st.survival) });
    if (st.censored > 0) censored.push(x(st.time_h));
  }
  return { name, points, ci, censored };
}

async function charts(s: TrialSummary, render: (spec: ChartSpec) => Promise<string>): Promise<{
  change: Figure[];
  bands: Figure[];
  rates: Figure[];
  km: Figure[];
  safety: Figure[];
}> {
  const t = timeAxis(s);
  const xAxis = { label: 'Time', unit: t.unit };
  const score = s.design.score;
  const missing = score.missing === 'locf' ? 'last observation carried forward' : 'observed cases';
  const after = (a: Arm): Visit[] => a.visits.filter((v) => v.time_h > 0);

  // Mean change ± 95% CI.
  const changeGroups: BandGroup[] = s.arms.map((a) => {
    const vs = a.visits.filter((v) => v.change.mean !== null);
    return {
      name: a.name,
      median: vs.map((v) => ({ x: t.x(v.time_h), y: v.change.mean as number })),
      bands: [{ label: '95% CI', points: vs.filter((v) => present(v.change.ci95[0]) && present(v.change.ci95[1])).map((v) => ({ x: t.x(v.time_h), lower: v.change.ci95[0] as number, upper: v.change.ci95[1] as number })) }],
    };
  });
  const change: Figure[] = [
    {
      svg: await render(
        bandChart({
          title: `Mean change in ${score.output} from baseline`,
          subtitle: `mean and 95% t interval per arm at each visit (${missing})`,
          x: xAxis,
          y: { label: `Change in ${score.output}`, unit: score.unit === '1' || score.unit === 'points' ? '' : score.unit },
          groups: changeGroups,
          referenceLines: [{ y: 0, label: 'baseline' }],
        }),
      ),
      caption: `Lines: mean change from the baseline visit; shaded: its 95% confidence interval (t). Visits: ${s.design.visits.map((v) => v.label).join(', ')}.`,
    },
  ];

  // Percentile bands of the score, one chart per arm on a common scale.
  const all = s.arms.flatMap((a) => a.visits.flatMap((v) => [v.score.percentiles.p05, v.score.percentiles.p95])).filter(present);
  const yDomain: [number, number] | undefined = all.length > 0 ? [Math.min(0, Math.floor(Math.min(...all))), Math.ceil(Math.max(...all) / 5) * 5] : undefined;
  const bands: Figure[] = [];
  for (const a of s.arms) {
    const vs = a.visits.filter((v) => v.score.percentiles.p50 !== null);
    const p = (v: Visit) => v.score.percentiles;
    const band = (lo: 'p05' | 'p25', hi: 'p95' | 'p75') =>
      vs.filter((v) => present(p(v)[lo]) && present(p(v)[hi])).map((v) => ({ x: t.x(v.time_h), lower: p(v)[lo] as number, upper: p(v)[hi] as number }));
    bands.push({
      svg: await render(
        bandChart({
          title: `${score.output}: ${a.name}`,
          subtitle: `median, 25–75% and 5–95% of the patients seen at each visit (n = ${a.n})`,
          x: xAxis,
          y: { label: score.output, unit: score.unit === '1' || score.unit === 'points' ? '' : score.unit },
          ...(yDomain !== undefined ? { yDomain } : {}),
          groups: [{ name: a.name, median: vs.map((v) => ({ x: t.x(v.time_h), y: p(v).p50 as number })), bands: [{ label: '5–95%', points: band('p05', 'p95') }, { label: '25–75%', points: band('p25', 'p75') }] }],
        }),
      ),
    });
  }

  // Response and remission rates.
  const rateChart = async (what: 'response' | 'remission', title: string, subtitle: string): Promise<Figure> => {
    const groups: BandGroup[] = s.arms.map((a) => {
      const vs = after(a).filter((v) => v[what] !== null && (v[what] as { rate: number | null }).rate !== null);
      const r = (v: Visit) => v[what] as NonNullable<Visit['response']>;
      return {
        name: a.name,
        median: vs.map((v) => ({ x: t.x(v.time_h), y: 100 * (r(v).rate as number) })),
        bands: [{ label: '95% CI', points: vs.map((v) => ({ x: t.x(v.time_h), lower: 100 * (r(v).ci95[0] ?? 0), upper: 100 * (r(v).ci95[1] ?? 1) })) }],
      };
    });
    return { svg: await render(bandChart({ title, subtitle, x: xAxis, y: { label: `Patients (${what})`, unit: '%' }, yDomain: [0, 100], groups })) };
  };
  const rates: Figure[] = [await rateChart('response', `Response: ${score.response.replace(/^>= /, '≥ ')}`, 'share of the patients seen at each visit, 95% Wilson interval')];
  if (score.remission !== null) rates.push(await rateChart('remission', `Remission: ${score.remission}`, 'share of the patients seen at each visit, 95% Wilson interval'));

  // Kaplan–Meier curves.
  const km: Figure[] = [];
  const ttrLines: ReferenceLine[] = [{ y: 50, label: '50%' }];
  for (const a of s.arms) if (a.time_to_response.median_h !== null) ttrLines.push({ x: t.x(a.time_to_response.median_h), label: `median ${a.name}: ${timeText(a.time_to_response.median_h)}` });
  km.push({
    svg: await render(
      stepChart({
        title: 'Time to response',
        subtitle: 'Kaplan–Meier: share of patients without a response yet; event: first visit with a response',
        x: xAxis,
        y: { label: 'Not yet responded', unit: '%' },
        yDomain: [0, 100],
        curves: s.arms.map((a) => kmCurve(a.name, a.time_to_response, 0, t.x)),
        referenceLines: ttrLines,
      }),
    ),
    caption: 'Steps at the visits (events can only be seen there); shaded: 95% log–log band; ticks: patients censored (dropped out, or no response by their last visit). Dashed vertical lines: medians.',
  });
  const relapsing = s.arms.filter((a) => a.relapse !== null && a.relapse.km.subjects > 0);
  if (relapsing.length > 0) {
    const d = (h: number): number => h / 24;
    const lines: ReferenceLine[] = [{ y: 50, label: '50%' }];
    for (const a of relapsing) {
      const r = a.relapse as NonNullable<Arm['relapse']>;
      if (r.km.median_h !== null) lines.push({ x: d(r.km.median_h), label: `median ${a.name}: ${Number((r.km.median_h / 24).toPrecision(3))} d` });
    }
    km.push({
      svg: await render(
        stepChart({
          title: 'Time to relapse among responders',
          subtitle: 'Kaplan–Meier from the start of the last dose: share of responders still responding',
          x: { label: 'Time from the start of the last dose', unit: 'd' },
          y: { label: 'Still responding', unit: '%' },
          yDomain: [0, 100],
          curves: relapsing.map((a) => {
            const r = a.relapse as NonNullable<Arm['relapse']>;
            return kmCurve(a.name, r.km, r.assessed_at_h - r.last_dose_h, d);
          }),
          referenceLines: lines,
        }),
      ),
      caption: `Responders at ${relapsing.map((a) => `${(a.relapse as NonNullable<Arm['relapse']>).assessed_at} (${a.name})`).join(', ')}; relapse: first later visit no longer ${score.response.replace(/^>= /, '≥ ')}. Ticks: censored at the end of follow-up or at dropout.`,
    });
  }

  // Safety: peaks and rises per arm, shares above thresholds.
  const safety: Figure[] = [];
  const outputs = (s.arms[0]?.safety ?? []).map((o) => ({ output: o.output, unit: o.unit }));
  const conditions = (s.arms[0]?.thresholds ?? []).map((x) => ({ condition: x.condition }));
  // Reference lines: each part of a condition ("SBP rise ≥ 40 mmHg or DBP rise ≥ 25 mmHg") on its output's chart.
  const parts = conditions.flatMap((c) => c.condition.split(' or ').map((part) => ({ condition: part, parsed: parseCondition(part) })));
  for (const o of outputs) {
    for (const kind of ['peak', 'rise'] as const) {
      const lines = parts.filter((c) => c.parsed?.output === o.output && c.parsed.rise === (kind === 'rise')).map((c) => ({ y: (c.parsed as { value: number }).value, label: c.condition }));
      // CADSS starts at 0 (rise = peak): only the peak; blood pressure: the peak and the rise.
      if (kind === 'rise' && lines.length === 0) continue;
      const boxes = s.arms.flatMap((a) => {
        const x = a.safety.find((q) => q.output === o.output)?.[kind];
        const q = x?.percentiles;
        if (x === undefined || q === undefined || !present(q.p05) || !present(q.p25) || !present(q.p50) || !present(q.p75) || !present(q.p95)) return [];
        return [{ category: a.name, p05: q.p05, p25: q.p25, p50: q.p50, p75: q.p75, p95: q.p95, ...(x.mean !== null ? { mean: x.mean } : {}) }];
      });
      if (boxes.length === 0) continue;
      const unit = o.unit === '1' || o.unit === 'points' ? '' : o.unit;
      safety.push({
        svg: await render(
          percentileChart({
            title: kind === 'peak' ? `Peak ${o.output} per patient` : `Largest ${o.output} rise over the value at time 0`,
            category: { label: 'Arm' },
            y: { label: kind === 'peak' ? `Peak ${o.output}` : `${o.output} rise`, unit },
            boxes,
            referenceLines: lines,
          }),
        ),
      });
    }
  }
  if (conditions.length > 0) {
    const bars = s.arms.flatMap((a) =>
      a.thresholds
        .filter((x) => x.share.rate !== null)
        .map((x) => ({ category: x.condition, group: a.name, estimate: 100 * (x.share.rate as number), ...(x.share.ci95[0] !== null && x.share.ci95[1] !== null ? { lower: 100 * x.share.ci95[0], upper: 100 * x.share.ci95[1] } : {}) })),
    );
    safety.push({
      svg: await render(barChart({ width: Math.max(600, 150 * conditions.length), title: 'Patients above the safety thresholds', subtitle: 'after at least one dose', category: { label: 'Threshold' }, y: { label: 'Patients', unit: '%' }, yDomain: [0, 100], bars, intervalLabel: '95% Wilson interval' })),
      caption: `Thresholds and sources: ${s.arms[0]?.thresholds.map((x) => `${x.condition} (${x.source})`).join('; ')}.`,
    });
  }
  return { change, bands, rates, km, safety };
}

// Tables -----------------------------------------------------------------------------------------------------

function designTables(s: TrialSummary): Table[] {
  const d = s.design;
  const t = timeAxis(s);
  const tables: Table[] = [
    {
      caption: 'Arms',
      columns: [
        { key: 'name', label: 'Arm' },
        { key: 'n', label: 'N' },
        { key: 'completers', label: 'Completers' },
        { key: 'regimen', label: 'Regimen' },
        { key: 'role', label: 'Role' },
      ],
      rows: s.arms.map((a) => ({ name: a.name, n: a.n, completers: a.completers, regimen: a.regimen, role: a.name === d.control ? 'control' : 'treatment' })),
      ...(s.arms.some((a) => a.non_finite > 0) ? { note: `Patients whose outcomes were not finite (left out of the statistics): ${s.arms.map((a) => `${a.name} ${a.non_finite}`).join(', ')}.` } : {}),
    },
    {
      caption: 'Design',
      columns: [
        { key: 'item', label: 'Item' },
        { key: 'value', label: 'Value' },
      ],
      rows: [
        { item: 'Model', value: `${d.model} ${d.model_version}` },
        { item: 'Seed', value: String(d.seed) },
        { item: 'Virtual patients', value: String(d.subjects) },
        { item: 'Duration', value: t.unit === 'd' ? `${Number((d.duration_h / 24).toPrecision(4))} d` : formatDuration(d.duration_h) },
        { item: 'Visits', value: d.visits.map((v) => v.label).join(', ') },
        { item: 'Score', value: `${d.score.output}${d.score.unit && d.score.unit !== '1' ? ` (${d.score.unit})` : ''}` },
        { item: 'Response', value: `${d.score.response} (${d.score.response_source})` },
        { item: 'Remission', value: d.score.remission === null ? 'not defined for this score' : `${d.score.remission} (${d.score.remission_source})` },
        { item: 'Residual (rating) error', value: d.score.residual_error },
        { item: 'Missing visits', value: d.score.missing === 'locf' ? 'last observation carried forward' : 'observed cases' },
        { item: 'Dropout', value: d.dropout },
        { item: 'Safety readings', value: d.readings ?? 'none: safety thresholds on model peaks (no measurement error)' },
        { item: 'Control arm', value: d.control },
      ],
    },
  ];
  if (d.population.length > 0)
    tables.push({
      caption: 'Population (covariates drawn per patient)',
      columns: [
        { key: 'covariate', label: 'Covariate' },
        { key: 'distribution', label: 'Distribution' },
        { key: 'source', label: 'Source' },
      ],
      rows: d.population,
    });
  if (d.inclusion.length > 0 || d.occasion_variability.length > 0)
    tables.push({
      caption: 'Inclusion and between-occasion variability',
      columns: [
        { key: 'item', label: 'Item' },
        { key: 'value', label: 'Value' },
      ],
      rows: [
        ...d.inclusion.map((i) => ({ item: `Inclusion: ${i.covariate}`, value: [i.min !== null ? `≥ ${i.min}` : '', i.max !== null ? `≤ ${i.max}` : ''].filter((x) => x !== '').join(' and ') || 'any' })),
        ...d.occasion_variability.map((o) => ({ item: `Occasion variability: ${o.random_effect}`, value: `SD ${o.sd} per dose occasion` })),
      ],
      note: 'Inclusion is by rejection sampling: patients outside the limits are drawn again.',
    });
  return tables;
}

function visitTable(s: TrialSummary, a: Arm): Table {
  const sc = s.design.score;
  return {
    caption: `${a.name}: ${sc.output} at each visit (n = ${a.n}; ${a.regimen})`,
    columns: [
      { key: 'visit', label: 'Visit' },
      { key: 'n', label: 'n' },
      { key: 'score', label: `${sc.output}`, unit: 'mean (SD)' },
      { key: 'pct', label: `${sc.output}`, unit: 'median [25th–75th] (5th–95th)' },
      { key: 'change', label: 'Change from baseline', unit: 'mean (95% CI)' },
      { key: 'response', label: 'Response', unit: '% (95% CI); n/N' },
      ...(sc.remission !== null ? [{ key: 'remission', label: 'Remission', unit: '% (95% CI); n/N' }] : []),
    ],
    rows: a.visits.map((v) => ({
      visit: v.label,
      n: v.score.n,
      score: v.score.mean === null ? DASH : `${fixed(v.score.mean)} (${fixed(v.score.sd)})`,
      pct: percentText(v.score.percentiles),
      change: v.time_h === 0 ? DASH : meanCi(v.change),
      response: v.time_h === 0 ? DASH : rateText(v.response),
      remission: v.remission === null ? DASH : rateText(v.remission),
    })),
  };
}

function kmTable(s: TrialSummary): Table {
  return {
    caption: 'Time to response and time to relapse (Kaplan–Meier)',
    columns: [
      { key: 'arm', label: 'Arm' },
      { key: 'ttr', label: 'Responded', unit: 'events / patients' },
      { key: 'ttrMedian', label: 'Median time to response' },
      { key: 'rel', label: 'Relapse', unit: 'relapses / responders' },
      { key: 'relMedian', label: 'Median time to relapse', unit: 'from the start of the last dose' },
    ],
    rows: s.arms.map((a) => {
      const r = a.relapse;
      return {
        arm: a.name,
        ttr: `${a.time_to_response.events} / ${a.time_to_response.subjects}`,
        ttrMedian: kmMedian(a.time_to_response.median_h, a.time_to_response.median_ci95_h, timeText),
        rel: r === null ? 'not assessed' : `${r.km.events} / ${r.responders} (responders at ${r.assessed_at}, of ${r.assessed} assessed)`,
        relMedian: r === null ? DASH : r.responders === 0 ? 'no responders' : kmMedian(r.median_d === null ? null : r.median_d * 24, [r.median_ci95_d[0] === null ? null : r.median_ci95_d[0] * 24, r.median_ci95_d[1] === null ? null : r.median_ci95_d[1] * 24], (h) => `${(h / 24).toFixed(1)} d`),
      };
    }),
    note: 'Medians: first time the Kaplan–Meier estimate is at or below 50% (midway to the next event time when exactly 50%, as R); 95% interval by Brookmeyer–Crowley from the log–log band. "not reached": the curve (or its band) does not fall to 50% within follow-up.',
  };
}

function safetyTables(s: TrialSummary): Table[] {
  const tables: Table[] = [];
  if ((s.arms[0]?.safety.length ?? 0) > 0)
    tables.push({
      caption: 'Peaks per patient',
      columns: [
        { key: 'arm', label: 'Arm' },
        { key: 'output', label: 'Output' },
        { key: 'n', label: 'n' },
        { key: 'peak', label: 'Peak', unit: 'mean (SD)' },
        { key: 'peakPct', label: 'Peak', unit: 'median [25th–75th] (5th–95th)' },
        { key: 'rise', label: 'Rise over time 0', unit: 'mean (SD)' },
        { key: 'risePct', label: 'Rise over time 0', unit: 'median [25th–75th] (5th–95th)' },
      ],
      rows: s.arms.flatMap((a) =>
        a.safety.map((o) => ({
          arm: a.name,
          output: `${o.output}${o.unit && o.unit !== '1' ? ` (${o.unit})` : ''}`,
          n: o.peak.n,
          peak: `${fixed(o.peak.mean)} (${fixed(o.peak.sd)})`,
          peakPct: percentText(o.peak.percentiles),
          rise: `${fixed(o.rise.mean)} (${fixed(o.rise.sd)})`,
          risePct: percentText(o.rise.percentiles),
        })),
      ),
      note: 'Model predictions on a fine grid after each dose (no measurement error), over the visits a patient attended.',
    });
  if ((s.arms[0]?.thresholds.length ?? 0) > 0)
    tables.push({
      caption: 'Patients above the safety thresholds',
      columns: [
        { key: 'condition', label: 'Threshold' },
        ...s.arms.map((a, i) => ({ key: `a${i}`, label: a.name, unit: '% (95% CI); n/N' })),
        { key: 'source', label: 'Source' },
      ],
      rows: (s.arms[0]?.thresholds ?? []).map((x, j) => ({
        condition: x.condition,
        ...Object.fromEntries(s.arms.map((a, i) => [`a${i}`, a.thresholds[j] === undefined ? DASH : rateText(a.thresholds[j].share)])),
        source: x.source,
      })),
    });
  return tables;
}

function comparisonTables(s: TrialSummary): Table[] {
  const sc = s.design.score;
  return s.comparisons.flatMap((c) => {
    const tables: Table[] = [
      {
        caption: `${c.treatment} vs ${c.control}: ${sc.output} at each visit`,
        columns: [
          { key: 'visit', label: 'Visit' },
          { key: 'change', label: 'Difference in mean change', unit: 'treatment − control (95% CI)' },
          { key: 'response', label: 'Difference in response', unit: 'percentage points (95% CI)' },
          ...(sc.remission !== null ? [{ key: 'remission', label: 'Difference in remission', unit: 'percentage points (95% CI)' }] : []),
        ],
        rows: c.visits.map((v) => ({ visit: v.label, change: diffText(v.change), response: diffText(v.response, 100, 1), remission: diffText(v.remission, 100, 1) })),
        note: `Change: ${c.visits[0]?.change.method ?? 'Welch'}; rates: ${c.visits[0]?.response.method ?? 'Newcombe'}.`,
      },
    ];
    if (c.thresholds.length > 0 || c.peaks.length > 0)
      tables.push({
        caption: `${c.treatment} vs ${c.control}: safety`,
        columns: [
          { key: 'what', label: 'Read-out' },
          { key: 'diff', label: 'Difference', unit: 'treatment − control (95% CI)' },
        ],
        rows: [
          ...c.thresholds.map((x) => ({ what: `Share with ${x.condition}`, diff: diffText(x.difference, 100, 1, ' pp') })),
          ...c.peaks.map((x) => ({ what: `Mean peak ${x.output}`, diff: diffText(x.difference) })),
        ],
        note: 'pp: percentage points.',
      });
    return tables;
  });
}

/** A few sentences with the main numbers: each arm's change and response at the last visit, and the comparisons. */
function keyResults(s: TrialSummary): string {
  const sc = s.design.score;
  const lines = s.arms.map((a) => {
    const last = [...a.visits].reverse().find((v) => v.time_h > 0 && v.change.n > 0);
    if (last === undefined) return `${a.name}: no visit after baseline.`;
    const first = a.visits.find((v) => v.time_h > 0 && v.change.n > 0) as Visit;
    const part = (v: Visit): string => `at ${v.label}, mean change ${meanCi(v.change)}, response ${pct(v.response.rate)}${v.remission !== null ? `, remission ${pct(v.remission.rate)}` : ''}`;
    return `${a.name} (n = ${a.n}): ${part(first)}${last !== first ? `; ${part(last)}` : ''}.`;
  });
  const comp = s.comparisons.map((c) => {
    const v = [...c.visits].reverse().find((x) => x.change.estimate !== null);
    return v === undefined ? '' : `${c.treatment} vs ${c.control} at ${v.label}: difference in mean change ${diffText(v.change)}, in response ${diffText(v.response, 100, 1, ' pp')}.`;
  });
  return [`${sc.output}, ${s.design.score.missing === 'locf' ? 'last observation carried forward' : 'observed cases'}:`, ...lines, ...comp].filter((x) => x !== '').join('\n\n');
}

/** Build the report of a trial summary (a TrialSummary or the parsed JSON of summary.json). */
export async function trialReport(summary: unknown, options: TrialReportOptions): Promise<string> {
  const s = parseTrialSummary(summary);
  const render = (spec: ChartSpec): Promise<string> => renderSvg(spec, { onWarning: options.onWarning ?? (() => undefined) });
  const c = await charts(s, render);
  const sc = s.design.score;
  const sections: Section[] = [
    {
      heading: 'Design',
      text: `${s.disclaimer}\n\n${s.design.name}: ${s.design.subjects} virtual patients in ${s.arms.length} arm${s.arms.length === 1 ? '' : 's'}, simulated with ${s.design.model} ${s.design.model_version} (seed ${s.design.seed}). Every patient's random effects and covariates come from counter-based random streams keyed by the seed and the patient's number, so the same design and seed give the same numbers on any machine, number of workers or shards.`,
      tables: designTables(s),
    },
    { heading: 'Key results', text: keyResults(s) },
    { heading: `${sc.output} over time`, text: 'Mean change from baseline per arm with 95% confidence intervals, then the spread of the score across patients in each arm.', charts: [...c.change, ...c.bands] },
    { heading: 'Response and remission', text: `Response: ${sc.response} (${sc.response_source}). Remission: ${sc.remission ?? 'not defined for this score'}${sc.remission !== null ? ` (${sc.remission_source})` : ''}.`, charts: c.rates },
    { heading: 'Time to response and relapse', charts: c.km, tables: [kmTable(s)] },
  ];
  if (c.safety.length > 0 || (s.arms[0]?.thresholds.length ?? 0) > 0)
    sections.push({ heading: 'Safety', text: 'Peaks of the safety read-outs per patient and the shares of patients above the thresholds.', charts: c.safety, tables: safetyTables(s) });
  if (s.comparisons.length > 0)
    sections.push({ heading: 'Comparisons with the control arm', text: `Every arm against ${s.design.control}: differences (treatment − control) with 95% confidence intervals.`, tables: comparisonTables(s) });
  sections.push({ heading: 'Endpoints at each visit', tables: s.arms.map((a) => visitTable(s, a)) });
  sections.push({
    heading: 'Methods',
    text: [
      'Means: 95% t intervals. Percentiles: from fixed-bin histograms (bins 0.4% of the value wide), exact minimum and maximum. Rates: Wilson score intervals. Differences in means: Welch; differences in rates: Newcombe (hybrid score, method 10). Kaplan–Meier: Greenwood standard errors, log–log 95% band, Brookmeyer–Crowley interval of the median.',
      `Visit statistics use the patients seen at each visit (${sc.missing === 'locf' ? 'last observation carried forward for those who left' : 'observed cases'}); patients who leave are censored at their last visit in the Kaplan–Meier endpoints. The definitions are in docs/trials.md.`,
    ].join('\n\n'),
  });
  return htmlReport({
    title: options.title ?? `Virtual trial: ${s.design.name}`,
    subtitle: `${s.design.subjects} virtual patients · ${s.arms.map((a) => `${a.name} (n = ${a.n})`).join(' · ')} · ${s.design.model} ${s.design.model_version} · seed ${s.design.seed}`,
    disclaimer: options.disclaimer,
    sections,
    ...(options.generatedAt !== undefined ? { generatedAt: options.generatedAt } : {}),
    provenance: {
      Model: `${s.design.model} ${s.design.model_version}`,
      Seed: String(s.design.seed),
      'Simulated with': s.ketasim_version === undefined ? 'ketasim (version not recorded)' : `ketasim ${s.ketasim_version}`,
      'Summary format': s.format,
      ...(options.provenance ?? {}),
    },
  });
}
