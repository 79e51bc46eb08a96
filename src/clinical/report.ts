/**
 * The HTML report of a simulated regimen: panels of the model's outputs over time (concentrations, receptor
 * occupancy, the plasticity cascade, dissociation, blood pressure and heart rate, symptom scores, any other
 * outputs) with the doses marked and the safety thresholds drawn, the safety read-outs, the regimen, the model and
 * the research-use disclaimer. Which outputs go on which panel is the table PANELS, keyed by output name; outputs a
 * model does not have are skipped. Pure (no I/O): returns the HTML text.
 */

import { bandChart, htmlReport, lineChart, renderSvg, type BandGroup, type ChartSpec, type Figure, type ReferenceLine, type Section, type Series, type ShadedBand, type Table } from '../report/index.js';
import { formatClock, formatDuration, formatValue, unitSuffix } from './format.js';
import type { PopulationBands, PopulationSummary } from './population.js';
import type { DoseRow } from './regimen-view.js';
import { episodeLabel, exceedanceText, triggered, type Readout, type SafetyReport } from './safety.js';
import type { OutputSeries, PatientSeries } from './series.js';

/** A report section: its charts, each a list of candidate outputs (those present and sharing a unit share a chart). */
interface PanelSpec {
  readonly heading: string;
  readonly text: string;
  readonly charts: readonly { readonly title: string; readonly outputs: readonly string[]; readonly safety?: boolean; readonly zoom?: boolean }[];
}

/** Output names the report knows, by section. Outputs of a model not listed here go to "Other outputs". */
export const PANELS: readonly PanelSpec[] = [
  {
    heading: 'Concentrations',
    text: 'Ketamine in plasma (CP) and at the effect sites (CE, CE_PSY), unbound (CE_FREE), and its metabolites norketamine (CNK) and hydroxynorketamine (CHNK); esketamine models: esketamine (CP_ESK) and noresketamine (CP_NOR) in plasma.',
    charts: [
      { title: 'Ketamine and metabolites', outputs: ['CP', 'CE', 'CE_PSY', 'CE_PSY_S', 'CE_FREE', 'CNK', 'CHNK', 'CP_ESK', 'CP_NOR', 'CP_NESK'], zoom: true },
    ],
  },
  {
    heading: 'NMDA receptor occupancy',
    text: 'Fraction of NMDA receptors occupied by ketamine and its metabolites (competitive binding at the effect site).',
    charts: [{ title: 'NMDA receptor occupancy', outputs: ['NMDA_OCC', 'OCC', 'NMDA', 'RO'], zoom: true }],
  },
  {
    heading: 'Plasticity cascade',
    text: 'NMDA blockade on interneurons → glutamate surge → AMPA activation → BDNF release → mTORC1 signalling → synaptogenesis.',
    charts: [
      { title: 'Glutamate surge and AMPA activation', outputs: ['GLU', 'GLU_SURGE', 'AMPA', 'AMPA_ACT'] },
      { title: 'BDNF release, mTORC1 and translation', outputs: ['BDNF', 'BDNF_REL', 'MTORC1', 'MTORC1_ACT', 'TRANSLATION', 'TRANSL', 'P4EBP'] },
      { title: 'Synaptic density', outputs: ['SYN', 'SYNAPSE', 'SYNAPSES'] },
      { title: 'Antidepressant drive', outputs: ['DRIVE', 'DRIVE_FRACTION', 'DRUG_EFFECT', 'EXPECTANCY'] },
    ],
  },
  {
    heading: 'Neuroprogression',
    text: 'Stress, inflammation, neurotoxicity and neurodegeneration.',
    charts: [
      {
        title: 'Neuroprogression states',
        outputs: ['STRESS', 'INFLAMMATION', 'INFLAM', 'NEUROTOX', 'NEUROTOXICITY', 'NEURODEG', 'NEURODEGENERATION', 'NP_STRESS', 'NP_INFLAMMATION', 'NP_NEUROTOXICITY', 'NP_NEURODEGENERATION', 'NP_INDEX'],
      },
    ],
  },
  {
    heading: 'Dissociation and psychotomimetic effects',
    text: 'Dashed lines: the thresholds of the safety rules (see Safety read-outs).',
    charts: [
      { title: 'Dissociation (CADSS)', outputs: ['CADSS'], safety: true, zoom: true },
      { title: 'Psychotomimetic effects', outputs: ['BPRS', 'BPRS_POS', 'PSY'], safety: true, zoom: true },
      { title: 'Sedation', outputs: ['SEDATION', 'MOAAS'], safety: true, zoom: true },
    ],
  },
  {
    heading: 'Blood pressure and heart rate',
    text: 'Dashed lines: the thresholds of the safety rules (see Safety read-outs).',
    charts: [
      { title: 'Blood pressure', outputs: ['SBP', 'DBP', 'MAP'], safety: true, zoom: true },
      { title: 'Heart rate', outputs: ['HR'], safety: true, zoom: true },
    ],
  },
  {
    heading: 'Symptom scores',
    text: 'Depression and anxiety rating scales.',
    charts: [
      { title: 'Depression (MADRS)', outputs: ['MADRS'] },
      { title: 'Depression (other scales)', outputs: ['HAMD', 'HAMD17', 'HAMD6', 'PHQ9', 'QIDS', 'QIDS_SR'] },
      { title: 'Anxiety', outputs: ['HAMA', 'GAD7', 'ANXIETY'] },
      { title: 'Symptom course', outputs: ['COURSE'] },
    ],
  },
];

export interface RegimenReportInput {
  readonly title: string;
  readonly subtitle?: string;
  readonly disclaimer: string;
  readonly model: { readonly name: string; readonly version: string; readonly title: string; readonly file: string };
  readonly series: PatientSeries;
  readonly doses: readonly DoseRow[];
  readonly safety?: SafetyReport;
  readonly rulesLabel?: string;
  /**
   * A virtual population: each panel shows the median and the 5–95% band across patients instead of the typical
   * patient's curve, and a section gives response, remission, relapse and the safety shares. The safety read-outs
   * stay the typical patient's.
   */
  readonly population?: { readonly summary: PopulationSummary; readonly bands: PopulationBands };
  /** Footer entries after the model and rules (e.g. ketasim version, command). */
  readonly provenance?: Readonly<Record<string, string>>;
  readonly generatedAt?: Date | string;
}

/** Days on the time axis when the doses span a day or more or follow-up is longer than 8 days; hours otherwise. */
export function useDays(series: PatientSeries): boolean {
  const starts = series.doses.map((d) => d.timeH);
  return Math.max(...starts) - Math.min(...starts) >= 24 || series.endH > 8 * 24;
}

function displayUnit(o: OutputSeries): { unit: string; scale: number } {
  // Occupancies and other fractions are shown in percent.
  if (o.unit === '1' && /OCC|^RO$/.test(o.name)) return { unit: '%', scale: 100 };
  return { unit: o.unit === '1' ? '' : o.unit, scale: 1 };
}

/** Build the report (renders every chart to SVG). */
export async function regimenReport(input: RegimenReportInput): Promise<string> {
  const s = input.series;
  const days = useDays(s);
  const xScale = days ? 1 / 24 : 1;
  const xAxis = { label: 'Time', unit: days ? 'd' : 'h' };
  const used = new Set<string>();
  const sections: Section[] = [];

  const marks = (fromH: number, toH: number, scale: number): { shadedBands: ShadedBand[]; referenceLines: ReferenceLine[] } => {
    const shadedBands: ShadedBand[] = [];
    const referenceLines: ReferenceLine[] = [];
    for (const d of input.doses) {
      if (d.timeH < fromH - 1e-9 || d.timeH > toH + 1e-9) continue;
      if (d.durationH > 0) shadedBands.push({ xFrom: d.timeH * scale, xTo: (d.timeH + d.durationH) * scale, label: 'infusion' });
      else referenceLines.push({ x: d.timeH * scale, label: `dose ${d.number}` });
    }
    return { shadedBands, referenceLines };
  };

  const thresholds = (outputs: readonly string[], scaleOf: (o: string) => number): ReferenceLine[] => {
    const lines: ReferenceLine[] = [];
    for (const r of input.safety?.readouts ?? []) {
      const t = r.threshold;
      if (t === undefined || r.status === 'unavailable' || !outputs.includes(t.output)) continue;
      const base = t.baseline === undefined ? '' : ` (${t.baseline.covariate} + ${formatValue(t.baseline.rise)})`;
      const label = `${t.output} ${t.op} ${formatValue(t.value)}${base}`;
      if (!lines.some((l) => 'y' in l && l.label === label)) lines.push({ y: t.value * scaleOf(t.output), label });
    }
    return lines;
  };

  /** Charts for a list of outputs: one per unit. */
  const charts = async (title: string, names: readonly string[], withSafety: boolean, range?: { fromH: number; toH: number; label: string }): Promise<Figure[]> => {
    const present = names.map((n) => s.outputs.get(n)).filter((o): o is OutputSeries => o !== undefined);
    const byUnit = new Map<string, OutputSeries[]>();
    for (const o of present) byUnit.set(o.unit, [...(byUnit.get(o.unit) ?? []), o]);
    const figures: Figure[] = [];
    const scale = range === undefined ? xScale : 1;
    for (const [, group] of byUnit) {
      const { unit, scale: yScale } = displayUnit(group[0] as OutputSeries);
      const inRange = (t: number): boolean => range === undefined || (t >= range.fromH - 1e-9 && t <= range.toH + 1e-9);
      const dose = marks(range?.fromH ?? -Infinity, range?.toH ?? Infinity, scale);
      const lines = [...dose.referenceLines, ...(withSafety ? thresholds(group.map((o) => o.name), (o) => displayUnit(s.outputs.get(o) as OutputSeries).scale) : [])];
      const chartTitle = byUnit.size > 1 ? `${title} (${unit || 'dimensionless'})` : title;
      const common = {
        title: range === undefined ? chartTitle : `${chartTitle}: ${range.label}`,
        x: range === undefined ? xAxis : { label: 'Time', unit: 'h' },
        y: { label: group.length <= 2 ? group.map((o) => o.name).join(', ') : title, unit },
        shadedBands: dose.shadedBands,
        referenceLines: lines,
        ...(range === undefined ? {} : { xDomain: [range.fromH, range.toH] as const }),
      };
      const bands = input.population?.bands;
      let spec: ChartSpec;
      if (bands !== undefined && group.every((o) => bands.outputs.has(o.name))) {
        const times = Array.from(bands.timesH);
        const rows = times.flatMap((t, i) => (inRange(t) ? [i] : []));
        const groups: BandGroup[] = group.map((o) => {
          const b = bands.outputs.get(o.name) as NonNullable<ReturnType<typeof bands.outputs.get>>;
          return {
            name: o.name,
            median: rows.map((i) => ({ x: (times[i] as number) * scale, y: (b.median[i] as number) * yScale })),
            bands: [
              { label: '5–95% of patients', points: rows.map((i) => ({ x: (times[i] as number) * scale, lower: (b.p05[i] as number) * yScale, upper: (b.p95[i] as number) * yScale })) },
              { label: '25–75%', points: rows.map((i) => ({ x: (times[i] as number) * scale, lower: (b.p25[i] as number) * yScale, upper: (b.p75[i] as number) * yScale })) },
            ],
          };
        });
        spec = bandChart({ ...common, subtitle: `median, 25–75% and 5–95% of ${input.population?.summary.patients} patients`, groups });
      } else {
        const series: Series[] = group.map((o) => ({
          name: o.name,
          points: Array.from(s.timesH, (t, i) => ({ x: t * scale, y: (o.values[i] as number) * yScale })).filter((_, i) => inRange(s.timesH[i] as number)),
        }));
        spec = lineChart({ ...common, series });
      }
      figures.push({ svg: await renderSvg(spec, { onWarning: () => undefined }) });
      for (const o of group) used.add(o.name);
    }
    return figures;
  };

  const first = input.doses[0];
  const zoom =
    days && first !== undefined
      ? { fromH: first.timeH, toH: Math.min(s.endH, first.timeH + first.durationH + 6), label: `the ${formatDuration(first.durationH + 6)} after the start of dose 1` }
      : undefined;

  // Population results, safety read-outs and regimen first: what a reader checks before looking at curves.
  if (input.population !== undefined) sections.push(populationSection(input.population.summary));
  if (input.safety !== undefined) sections.push(safetySection(input.safety, input.rulesLabel, input.population !== undefined));
  sections.push(regimenSection(input));

  for (const panel of PANELS) {
    const figures: Figure[] = [];
    for (const c of panel.charts) {
      figures.push(...(await charts(c.title, c.outputs, c.safety === true)));
      if (c.zoom === true && zoom !== undefined) figures.push(...(await charts(c.title, c.outputs, c.safety === true, zoom)));
    }
    if (figures.length > 0) sections.push({ heading: panel.heading, text: panel.text, charts: figures });
  }
  const others = [...s.outputs.keys()].filter((n) => !used.has(n));
  if (others.length > 0) {
    const figures = await charts('Other outputs', others, false);
    sections.push({ heading: 'Other outputs', text: `Outputs of the model not shown above: ${others.join(', ')}.`, charts: figures });
  }
  sections.push({
    heading: 'Model',
    text:
      `${input.model.title} (${input.model.name} ${input.model.version}, ${input.model.file}). Parameters, their sources and evidence: ` +
      `ketasim describe ${input.model.name}.\n\nTimes of peaks are on the observation grid; threshold crossings are interpolated linearly between grid points. ` +
      'An exceedance has resolved when the value falls back to the threshold for the rest of the dosing interval.',
  });

  return htmlReport({
    title: input.title,
    ...(input.subtitle !== undefined ? { subtitle: input.subtitle } : {}),
    disclaimer: input.disclaimer,
    sections,
    ...(input.generatedAt !== undefined ? { generatedAt: input.generatedAt } : {}),
    provenance: {
      Model: `${input.model.name} ${input.model.version} (${input.model.file})`,
      ...(input.safety !== undefined ? { 'Safety rules': `${input.safety.rulesName} ${input.safety.rulesVersion}${input.rulesLabel ? ` (${input.rulesLabel})` : ''}` } : {}),
      ...(input.provenance ?? {}),
    },
  });
}

function safetySection(report: SafetyReport, rulesLabel: string | undefined, population = false): Section {
  const byStatus = (...statuses: string[]): Readout[] => report.readouts.filter((r) => statuses.includes(r.status));
  const applies = triggered(report);
  const reported = byStatus('reported');
  const clear = byStatus('clear', 'not_applicable');
  const missing = byStatus('unavailable');
  const source = (r: Readout): string => `${r.rule.source} (${r.rule.status})`;
  const tables: Table[] = [];
  if (applies.length > 0) {
    tables.push({
      caption: 'Rules that apply',
      columns: [
        { key: 'severity', label: 'Severity' },
        { key: 'title', label: 'Read-out' },
        { key: 'finding', label: 'Finding' },
        { key: 'text', label: 'What the source says' },
      ],
      rows: applies.map((r) => ({
        severity: r.rule.severity,
        title: r.rule.title,
        finding: r.finding + (r.rule.advice !== undefined ? `. ${r.rule.advice}` : ''),
        text: `"${r.rule.text}" (${source(r)})`,
      })),
    });
  }
  const perDose = applies.flatMap((r) =>
    (r.episodes ?? []).map((e) => ({
      rule: r.rule.title,
      dose: episodeLabel(e.episode),
      start: formatClock(e.episode.startH),
      peak: `${formatValue(e.result.peak.value)}${unitSuffix(r.threshold?.unit ?? '')}`,
      peakAfter: formatDuration(e.result.peak.timeH - e.episode.startH),
      result: exceedanceText(e),
    })),
  );
  if (perDose.length > 0) {
    tables.push({
      caption: 'Thresholds crossed: every dose',
      columns: [
        { key: 'rule', label: 'Read-out' },
        { key: 'dose', label: 'Dose' },
        { key: 'start', label: 'Start' },
        { key: 'peak', label: 'Peak' },
        { key: 'peakAfter', label: 'Peak after start' },
        { key: 'result', label: 'Threshold' },
      ],
      rows: perDose,
      note: 'Peaks on the observation grid; crossing and resolution times interpolated between grid points; "resolved" = back at or below the threshold for the rest of the dosing interval.',
    });
  }
  if (reported.length > 0) {
    tables.push({
      caption: 'Predicted',
      columns: [
        { key: 'title', label: 'Read-out' },
        { key: 'finding', label: 'Prediction' },
        { key: 'text', label: 'What the source says' },
      ],
      rows: reported.map((r) => ({ title: r.rule.title, finding: r.finding, text: `"${r.rule.text}" (${source(r)})` })),
    });
  }
  for (const r of report.readouts) {
    if (r.monitoring === undefined || r.monitoring.length === 0) continue;
    tables.push({
      caption: `${r.rule.title}: predicted end after every dose`,
      columns: [
        { key: 'dose', label: 'Dose' },
        { key: 'start', label: 'Start' },
        { key: 'until', label: 'Monitor until' },
        { key: 'setBy', label: 'Set by' },
      ],
      rows: r.monitoring.map((m) => ({
        dose: episodeLabel(m.episode),
        start: formatClock(m.episode.startH),
        until: m.endH === null ? 'not resolved before the next dose or the end of follow-up' : `${formatDuration(m.endH - m.episode.startH)} after the start (${formatClock(m.endH)})`,
        setBy: m.setBy === 'minimum' ? 'the minimum time' : (report.readouts.find((x) => x.rule.id === m.setBy)?.rule.title ?? m.setBy),
      })),
    });
  }
  if (clear.length > 0) {
    tables.push({
      caption: 'Checked, do not apply',
      columns: [
        { key: 'severity', label: 'Severity' },
        { key: 'title', label: 'Read-out' },
        { key: 'finding', label: 'Finding' },
        { key: 'source', label: 'Source' },
      ],
      rows: clear.map((r) => ({ severity: r.rule.severity, title: r.rule.title, finding: r.finding, source: source(r) })),
    });
  }
  if (missing.length > 0) {
    tables.push({
      caption: 'Unavailable with this model',
      columns: [
        { key: 'title', label: 'Read-out' },
        { key: 'finding', label: 'Why' },
      ],
      rows: missing.map((r) => ({ title: r.rule.title, finding: r.finding })),
    });
  }
  const cited = [...new Set(report.readouts.map((r) => r.rule.source))];
  tables.push({
    caption: 'Sources',
    columns: [
      { key: 'key', label: 'Key' },
      { key: 'citation', label: 'Citation' },
    ],
    rows: cited.map((key) => ({ key, citation: report.readouts.find((r) => r.rule.source === key)?.citation ?? key })),
    note: `Rules: ${report.rulesTitle} (${report.rulesName} ${report.rulesVersion}${rulesLabel ? `, ${rulesLabel}` : ''}).`,
  });
  const count = (n: number, what: string): string => `${n} ${what}`;
  return {
    heading: population ? 'Safety read-outs for the typical patient' : 'Safety read-outs',
    text:
      'Predictions of a model for one typical patient, compared with published thresholds; each rule names its source and quotes it. ' +
      (population ? 'The typical patient has every random effect at 0; the share of the virtual population above each threshold is in the section above. ' : '') +
      `${count(applies.length, applies.length === 1 ? 'rule applies' : 'rules apply')}, ${count(reported.length, 'predicted')}, ` +
      `${count(clear.length, 'checked and not applying')}, ${count(missing.length, 'unavailable')} (the model has no output or covariate the rule needs).`,
    tables,
  };
}

function regimenSection(input: RegimenReportInput): Section {
  const s = input.series;
  return {
    heading: 'Regimen and patient',
    tables: [
      {
        caption: 'Doses',
        columns: [
          { key: 'number', label: '#' },
          { key: 'start', label: 'Start' },
          { key: 'route', label: 'Route' },
          { key: 'mg', label: 'Amount', unit: 'mg', format: { significant: 4 } },
          { key: 'duration', label: 'Duration' },
          { key: 'rate', label: 'Rate', unit: 'mg/h', format: { significant: 4 } },
          { key: 'givenAs', label: 'Given as' },
        ],
        rows: input.doses.map((d) => ({
          number: d.number,
          start: formatClock(d.timeH),
          route: d.route,
          mg: d.amountMg,
          duration: d.durationH > 0 ? formatDuration(d.durationH) : 'bolus / set by the model',
          rate: d.rateMgPerH,
          givenAs: d.givenAs,
        })),
        note: `Follow-up to ${formatClock(s.endH)}.`,
      },
      {
        caption: 'Covariates',
        columns: [
          { key: 'name', label: 'Covariate' },
          { key: 'value', label: 'Value' },
          { key: 'unit', label: 'Unit' },
          { key: 'from', label: 'From' },
        ],
        rows: [...s.covariates.entries()].map(([name, c]) => ({ name, value: c.value, unit: c.unit, from: c.given ? 'given' : 'model default' })),
      },
    ],
  };
}

function percent(share: number, n: number): string {
  return `${(100 * share).toFixed(1)}% (${Math.round(share * n)}/${n})`;
}

/** Response, remission, relapse, safety shares and the spread of peaks of a virtual population. */
function populationSection(p: PopulationSummary): Section {
  const n = p.patients;
  const tables: Table[] = [];
  const withRemission = p.scores.some((x) => x.scale.remission !== undefined);
  if (p.scores.length > 0) {
    tables.push({
      caption: 'Response and remission',
      columns: [
        { key: 'output', label: 'Score' },
        { key: 'when', label: 'When' },
        { key: 'at', label: 'Time' },
        { key: 'response', label: 'Response (≥ 50% below time 0)' },
        ...(withRemission ? [{ key: 'remission', label: 'Remission' }] : []),
      ],
      rows: p.scores.flatMap((x) =>
        x.times.map((t) => ({
          output: x.output,
          when: t.label,
          at: formatClock(t.timeH),
          response: percent(t.response, n),
          remission: x.scale.remission === undefined || t.remission === undefined ? 'no convention' : `${percent(t.remission, n)} (${x.output} ${x.scale.remission.op} ${x.scale.remission.value})`,
        })),
      ),
      note: p.scores.map((x) => `${x.output} (${x.scale.scale}): ${x.scale.source}: "${x.scale.quote}".`).join(' '),
    });
    tables.push({
      caption: 'Relapse after the last dose',
      columns: [
        { key: 'output', label: 'Score' },
        { key: 'responders', label: 'Responding 24 h after the start of the last dose' },
        { key: 'events', label: 'Relapsed' },
        { key: 'censored', label: 'Still responding at the end of follow-up' },
        { key: 'median', label: 'Median time to relapse' },
      ],
      rows: p.scores.map((x) => {
        const r = x.relapse;
        if (r === undefined) return { output: x.output, responders: '-', events: '-', censored: '-', median: 'not read: follow-up ends within 24 h of the last dose' };
        return {
          output: x.output,
          responders: `${r.responders} of ${n}`,
          events: r.events,
          censored: r.censored,
          median: r.responders === 0 ? '-' : Number.isNaN(r.medianH) ? 'not reached' : `${formatDuration(r.medianH)} after the start of the last dose`,
        };
      }),
      note: 'Relapse: no longer at least 50% below the value at time 0, searched from 24 h after the start of the last dose; Kaplan–Meier median with censoring at the end of follow-up (as the validation metric median_time_to).',
    });
  }
  if (p.safety !== undefined) {
    tables.push({
      caption: 'Safety thresholds across patients',
      columns: [
        { key: 'condition', label: 'Threshold' },
        { key: 'share', label: 'Patients above it after at least one dose' },
        { key: 'source', label: 'Source' },
        { key: 'text', label: 'What the source says' },
      ],
      rows: p.safety.shares.map((x) => ({ condition: x.condition, share: percent(x.share, n), source: `${x.source} (${x.status})`, text: `"${x.text}"` })),
      note: `Thresholds read from the rules (${p.safety.rulesName} ${p.safety.rulesVersion}); each patient is evaluated as the typical patient's read-out is.${
        p.safety.unavailable.length > 0 ? ` Unavailable with this model: ${p.safety.unavailable.map((u) => `${u.title} (${u.finding})`).join('; ')}.` : ''
      }`,
    });
  }
  tables.push({
    caption: 'Peaks across patients',
    columns: [
      { key: 'output', label: 'Output' },
      { key: 'unit', label: 'Unit' },
      { key: 'peak', label: 'Peak: median' },
      { key: 'peakRange', label: '5th – 95th percentile' },
      { key: 'low', label: 'Lowest: median' },
      { key: 'lowRange', label: '5th – 95th percentile' },
    ],
    rows: p.outputs.map((o) => ({
      output: o.output,
      unit: o.unit,
      peak: formatValue(o.peak.median),
      peakRange: `${formatValue(o.peak.p05)} – ${formatValue(o.peak.p95)}`,
      low: o.trough === undefined ? '' : formatValue(o.trough.median),
      lowRange: o.trough === undefined ? '' : `${formatValue(o.trough.p05)} – ${formatValue(o.trough.p95)}`,
    })),
    note: "Each patient's largest (and, for outputs that fall, smallest) value on the observation grid; percentiles are type 7 (linear between order statistics).",
  });
  return {
    heading: 'Virtual population',
    text:
      `${n} virtual patients (seed ${p.seed}): random effects ${p.randomEffects.join(', ')} drawn from the model's between-subject variability; ` +
      'the same regimen and covariates for every patient. The panels below show the median, the 25–75% and the 5–95% band across patients at every time.',
    tables,
  };
}
