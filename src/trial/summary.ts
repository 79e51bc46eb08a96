/**
 * The trial summary (out/summary.json): a stable, documented schema (zod below; JSON Schema in
 * docs/trial-summary.schema.json, generated from it; docs/trials.md explains each field). Built from the merged
 * accumulators, so it is the same bytes for any number of workers or shards.
 *
 * Conventions: times in hours (`time_h`) with days beside them where trials count in days; 95 % intervals are
 * [lower, upper]; NaN (not estimable, not reached) is written as null.
 */

import { z } from 'zod';
import type { ArmAccumulator } from './accumulate.js';
import type { TrialPlan } from './plan.js';
import type { ResidualSpec } from '../core/model/index.js';
import { kaplanMeier, meanStats, newcombeDifference, welchDifference, wilson, type KaplanMeier, type MeanStats, type Proportion } from './stats.js';

export const SUMMARY_FORMAT = 'ketasim-trial-summary/1';

const num = z.number().nullable();
const ci = z.tuple([num, num]);
const meanSchema = z.object({ n: z.number().int(), mean: num, sd: num, ci95: ci });
const percentilesSchema = z.object({ p05: num, p25: num, p50: num, p75: num, p95: num });
const proportionSchema = z.object({ count: z.number().int(), n: z.number().int(), rate: num, ci95: ci });
const differenceSchema = z.object({ estimate: num, ci95: ci, method: z.string() });
const kmSchema = z.object({
  subjects: z.number().int(),
  events: z.number().int(),
  censored: z.number().int(),
  /** One step per time with an event or a censoring. */
  steps: z.array(z.object({ time_h: z.number(), at_risk: z.number().int(), events: z.number().int(), censored: z.number().int(), survival: z.number(), se: num, ci95: ci })),
  median_h: num,
  median_ci95_h: ci,
});

export const summarySchema = z.object({
  format: z.literal(SUMMARY_FORMAT),
  /** The ketasim version that simulated the trial (absent in summaries written before it was recorded). */
  ketasim_version: z.string().optional(),
  disclaimer: z.string(),
  design: z.object({
    name: z.string(),
    model: z.string(),
    model_version: z.string(),
    seed: z.number().int(),
    subjects: z.number().int(),
    duration_h: z.number(),
    visits: z.array(z.object({ label: z.string(), time_h: z.number() })),
    control: z.string(),
    score: z.object({
      output: z.string(),
      unit: z.string(),
      response: z.string(),
      response_source: z.string(),
      remission: z.string().nullable(),
      remission_source: z.string(),
      residual_error: z.string(),
      missing: z.enum(['observed', 'locf']),
    }),
    population: z.array(z.object({ covariate: z.string(), distribution: z.string(), source: z.string() })),
    inclusion: z.array(z.object({ covariate: z.string(), min: num, max: num })),
    occasion_variability: z.array(z.object({ random_effect: z.string(), sd: z.number() })),
    dropout: z.string(),
    /** Safety outputs judged on clinic readings (endpoints.readings): schedule, measurement error, source. */
    readings: z.string().optional(),
  }),
  arms: z.array(
    z.object({
      name: z.string(),
      regimen: z.string(),
      n: z.number().int(),
      completers: z.number().int(),
      /** Subjects whose outcomes were not finite (should be 0). */
      non_finite: z.number().int(),
      visits: z.array(
        z.object({
          label: z.string(),
          time_h: z.number(),
          score: meanSchema.extend({ percentiles: percentilesSchema }),
          change: meanSchema.extend({ percentiles: percentilesSchema }),
          response: proportionSchema,
          remission: proportionSchema.nullable(),
        }),
      ),
      time_to_response: kmSchema,
      relapse: z
        .object({
          /** Visit at which responders are selected, and the start of the last dose (times are counted from it). */
          assessed_at: z.string(),
          assessed_at_h: z.number(),
          last_dose_h: z.number(),
          assessed: z.number().int(),
          responders: z.number().int(),
          km: kmSchema,
          median_d: num,
          median_ci95_d: ci,
        })
        .nullable(),
      safety: z.array(
        z.object({
          output: z.string(),
          unit: z.string(),
          peak: meanSchema.extend({ percentiles: percentilesSchema }),
          rise: meanSchema.extend({ percentiles: percentilesSchema }),
        }),
      ),
      thresholds: z.array(z.object({ condition: z.string(), source: z.string(), share: proportionSchema })),
    }),
  ),
  comparisons: z.array(
    z.object({
      treatment: z.string(),
      control: z.string(),
      visits: z.array(
        z.object({ label: z.string(), time_h: z.number(), change: differenceSchema, response: differenceSchema, remission: differenceSchema.nullable() }),
      ),
      thresholds: z.array(z.object({ condition: z.string(), difference: differenceSchema })),
      peaks: z.array(z.object({ output: z.string(), difference: differenceSchema })),
    }),
  ),
});

export type TrialSummary = z.infer<typeof summarySchema>;

const DISCLAIMER = 'Research and education software, not a medical device: simulated patients, not a prediction for a real trial or patient.';

function nn(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function meanOut(m: MeanStats): z.infer<typeof meanSchema> {
  return { n: m.n, mean: nn(m.mean), sd: nn(m.sd), ci95: [nn(m.ci95[0]), nn(m.ci95[1])] };
}

function propOut(p: Proportion): z.infer<typeof proportionSchema> {
  return { count: p.count, n: p.n, rate: nn(p.rate), ci95: [nn(p.ci95[0]), nn(p.ci95[1])] };
}

function diffOut(d: { estimate: number; ci95: readonly [number, number]; method: string }): z.infer<typeof differenceSchema> {
  return { estimate: nn(d.estimate), ci95: [nn(d.ci95[0]), nn(d.ci95[1])], method: d.method };
}

function kmOut(km: KaplanMeier): z.infer<typeof kmSchema> {
  return {
    subjects: km.subjects,
    events: km.events,
    censored: km.censored,
    steps: km.steps.map((s) => ({ time_h: s.time, at_risk: s.atRisk, events: s.events, censored: s.censored, survival: s.survival, se: nn(s.se), ci95: [nn(s.ci95[0]), nn(s.ci95[1])] })),
    median_h: nn(km.median),
    median_ci95_h: [nn(km.medianCi95[0]), nn(km.medianCi95[1])],
  };
}

function percentiles(h: { quantile(p: number): number }): z.infer<typeof percentilesSchema> {
  return { p05: nn(h.quantile(0.05)), p25: nn(h.quantile(0.25)), p50: nn(h.quantile(0.5)), p75: nn(h.quantile(0.75)), p95: nn(h.quantile(0.95)) };
}

function distributionText(d: TrialPlan['population'][number]['distribution']): string {
  if (typeof d === 'number') return `fixed ${d}`;
  const b = (x: { min?: number | undefined; max?: number | undefined }): string => (x.min !== undefined || x.max !== undefined ? `, truncated to [${x.min ?? '-inf'}, ${x.max ?? 'inf'}]` : '');
  switch (d.dist) {
    case 'fixed':
      return `fixed ${d.value}`;
    case 'normal':
      return `normal(mean ${d.mean}, SD ${d.sd})${b(d)}`;
    case 'lognormal':
      return `log-normal(median ${d.median}, SD of log ${d.sdlog})${b(d)}`;
    case 'uniform':
      return `uniform(${d.min}, ${d.max})`;
    case 'categorical':
      return d.values.map((v, i) => `${v}: ${d.p[i]}`).join(', ');
  }
}

function dropoutText(plan: TrialPlan): string {
  const d = plan.design.dropout;
  if (d === undefined) return 'none';
  const how = 'per_visit' in d ? `probability ${d.per_visit} before each visit` : 'hazard_per_day' in d ? `constant hazard ${d.hazard_per_day}/day` : `${d.fraction * 100}% by day ${d.by_day} (constant hazard)`;
  return `${how}; missing visits: ${d.missing === 'locf' ? 'last observation carried forward' : 'observed cases'}; dropped patients are censored at their last visit`;
}

/** The summary of a trial from its merged arm accumulators (in plan order). */
export function trialSummary(plan: TrialPlan, accumulators: readonly ArmAccumulator[], modelVersion: string, ketasimVersion: string): TrialSummary {
  const sc = plan.score;
  const remissionText = sc.remission === undefined ? null : `${sc.output} ${sc.remission.op} ${sc.remission.value}`;
  const arms = plan.arms.map((arm, a) => {
    const acc = accumulators[a] as ArmAccumulator;
    const visits = plan.visits.map((v, k) => {
      const s = acc.scoreAt(k);
      const c = acc.changeAt(k);
      const n = s.n;
      return {
        label: v.label,
        time_h: v.timeH,
        score: { ...meanOut(meanStats(n, s.sum, s.squares)), percentiles: percentiles(s.hist) },
        change: { ...meanOut(meanStats(c.n, c.sum, c.squares)), percentiles: percentiles(c.hist) },
        response: propOut(wilson(k === 0 ? 0 : (acc.responders[k] as number), n)),
        remission: sc.remission === undefined ? null : propOut(wilson(acc.remitters[k] as number, n)),
      };
    });
    const times = plan.visits.map((v) => v.timeH);
    const ttr = kaplanMeier(times, acc.responseEvents, acc.responseCensored);
    let relapse: TrialSummary['arms'][number]['relapse'] = null;
    if (arm.relapseVisit > 0) {
      const rel = kaplanMeier(times.map((t) => t - arm.lastDoseH), acc.relapseEvents, acc.relapseCensored);
      relapse = {
        assessed_at: (plan.visits[arm.relapseVisit] as { label: string }).label,
        assessed_at_h: times[arm.relapseVisit] as number,
        last_dose_h: arm.lastDoseH,
        assessed: acc.relapseAssessed,
        responders: acc.relapseResponders,
        km: kmOut(rel),
        median_d: nn(rel.median / 24),
        median_ci95_d: [nn(rel.medianCi95[0] / 24), nn(rel.medianCi95[1] / 24)],
      };
    }
    const safety = plan.peakOutputs.map((p, k) => {
      const pk = acc.peak(k);
      const r = acc.rise(k);
      return {
        output: p.output,
        unit: p.unit,
        peak: { ...meanOut(meanStats(pk.n, pk.sum, pk.squares)), percentiles: percentiles(pk.hist) },
        rise: { ...meanOut(meanStats(r.n, r.sum, r.squares)), percentiles: percentiles(r.hist) },
      };
    });
    const thresholds = plan.safety.map((t, j) => ({ condition: t.condition, source: t.source, share: propOut(wilson(acc.thresholdCounts[j] as number, acc.subjects)) }));
    return { name: arm.name, regimen: arm.regimenText, n: acc.subjects, completers: acc.completers, non_finite: acc.nonFinite, visits, time_to_response: kmOut(ttr), relapse, safety, thresholds };
  });

  const control = plan.controlArm;
  const comparisons = plan.arms
    .map((arm, a) => ({ arm, a }))
    .filter(({ a }) => a !== control)
    .map(({ arm, a }) => {
      const t = accumulators[a] as ArmAccumulator;
      const c = accumulators[control] as ArmAccumulator;
      const visits = plan.visits.slice(1).map((v, k0) => {
        const k = k0 + 1;
        const mt = t.changeAt(k);
        const mc = c.changeAt(k);
        const nt = t.scoreAt(k).n;
        const ncn = c.scoreAt(k).n;
        return {
          label: v.label,
          time_h: v.timeH,
          change: diffOut(welchDifference(meanStats(mt.n, mt.sum, mt.squares), meanStats(mc.n, mc.sum, mc.squares))),
          response: diffOut(newcombeDifference(wilson(t.responders[k] as number, nt), wilson(c.responders[k] as number, ncn))),
          remission: sc.remission === undefined ? null : diffOut(newcombeDifference(wilson(t.remitters[k] as number, nt), wilson(c.remitters[k] as number, ncn))),
        };
      });
      const thresholds = plan.safety.map((s, j) => ({
        condition: s.condition,
        difference: diffOut(newcombeDifference(wilson(t.thresholdCounts[j] as number, t.subjects), wilson(c.thresholdCounts[j] as number, c.subjects))),
      }));
      const peaks = plan.peakOutputs.map((p, k) => {
        const a1 = t.peak(k);
        const b1 = c.peak(k);
        return { output: p.output, difference: diffOut(welchDifference(meanStats(a1.n, a1.sum, a1.squares), meanStats(b1.n, b1.sum, b1.squares))) };
      });
      return { treatment: arm.name, control: (plan.arms[control] as { name: string }).name, visits, thresholds, peaks };
    });

  return {
    format: SUMMARY_FORMAT,
    ketasim_version: ketasimVersion,
    disclaimer: DISCLAIMER,
    design: {
      name: plan.design.name,
      model: plan.model.name,
      model_version: modelVersion,
      seed: plan.seed,
      subjects: plan.totalSubjects,
      duration_h: plan.durationH,
      visits: plan.visits.map((v) => ({ label: v.label, time_h: v.timeH })),
      control: (plan.arms[control] as { name: string }).name,
      score: {
        output: sc.output,
        unit: sc.unit,
        response: `>= ${sc.responsePct}% reduction from baseline (visit at time 0)`,
        response_source: sc.responseSource,
        remission: remissionText,
        remission_source: sc.remissionSource,
        residual_error: residualText(sc.residual, sc.residualSource),
        missing: plan.missing,
      },
      population: plan.population.map((c) => ({ covariate: c.name, distribution: distributionText(c.distribution), source: c.source })),
      inclusion: Object.entries(plan.design.inclusion).map(([name, r]) => ({ covariate: name, min: r.min ?? null, max: r.max ?? null })),
      occasion_variability: plan.occasionVariability.map((o) => ({ random_effect: o.name, sd: o.sd })),
      dropout: dropoutText(plan),
      ...(plan.readings !== undefined ? { readings: readingsText(plan.readings) } : {}),
    },
    arms,
    comparisons,
  };
}

function residualText(residual: ResidualSpec | undefined, source: string): string {
  if (residual === undefined) return source;
  const parts = [
    residual.additive !== undefined ? `additive SD ${residual.additive}` : '',
    residual.proportional !== undefined ? `proportional ${residual.proportional}` : '',
    residual.exponential !== undefined ? `exponential ${residual.exponential}` : '',
  ].filter((x) => x !== '');
  return `${parts.join(' + ')}${residual.range !== undefined ? `, range [${residual.range[0]}, ${residual.range[1]}]` : ''} (${source})`;
}

function readingsText(readings: NonNullable<TrialPlan['readings']>): string {
  const times = readings.offsetsH.map((h) => (h < 1 ? `${Number((h * 60).toPrecision(6))} min` : `${Number(h.toPrecision(6))} h`)).join(', ');
  const errors = readings.outputs.map((o) => `${o.output}: ${residualText(o.residual, o.residualSource)}`).join('; ');
  return `${readings.outputs.map((o) => o.output).join(', ')} read at ${times} after the start of each dose (rises over the session's first reading), up to dropout; measurement error ${errors}; schedule: ${readings.source}`;
}
