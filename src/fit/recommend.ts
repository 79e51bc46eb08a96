/**
 * `ketasim recommend`: the next dose and booster interval for a fitted patient, chosen among candidates by predicted
 * benefit within the limits a clinic sets (clinic-limits.ts), or a refusal with its reason and source when a
 * contraindication applies or the record cannot support a forecast. Definitions: docs/forecasting.md. Pure.
 */

import type { CompiledModelWithRandom } from '../core/model/index.js';
import { KetasimError } from '../core/errors.js';
import { compare, comparisonOf, type SafetyRules } from '../clinical/rules.js';
import { parseDoseAmount, parseDurationHours } from '../regimen/quantity.js';
import type { ClinicLimits, LimitName } from './clinic-limits.js';
import type { PlannedDose } from './design.js';
import type { PatientFit } from './fit.js';
import { forecastPlans, recordBaseline, type PlanForecast, type ScenarioForecast } from './forecast.js';
import { describeDoses, planDrug } from './plan.js';

/** A refusal: no recommendation, with the reason and its source. */
export class RecommendRefusal extends KetasimError {
  constructor(
    readonly reason: string,
    readonly source: string,
  ) {
    super(`no recommendation: ${reason} (source: ${source})`);
  }
}

export interface CandidateDose {
  /** "0.5 mg/kg", "56 mg" */
  readonly amount: string;
  readonly route: string;
  /** Infusion duration, hours (0 = bolus). */
  readonly durationH: number;
}

export interface RecommendOptions {
  readonly limits: ClinicLimits;
  readonly rules?: SafetyRules;
  readonly horizonH?: number;
  readonly draws?: number;
  readonly seed?: number;
  /** Candidate doses; default by route and drug (candidateDoses). */
  readonly doses?: readonly CandidateDose[];
  /** Candidate intervals between sessions, days. Default 3.5, 7, 10, 14, 21, 28. */
  readonly intervalsD?: readonly number[];
  readonly originH?: number;
  /** Posterior draws: shared solutions of the dynamics or independent (PlanForecastOptions.groups). Default 'auto'. */
  readonly groups?: 'auto' | 'independent' | number;
}

export interface LimitCheck {
  readonly limit: LimitName;
  readonly enforced: boolean;
  readonly ok: boolean;
  /** "peak SBP 95th percentile 141 mmHg ≤ 180" */
  readonly text: string;
  readonly source: string;
}

export interface Candidate {
  readonly label: string;
  readonly dose?: CandidateDose;
  readonly intervalD?: number;
  readonly doses: readonly PlannedDose[];
  readonly sessions: number;
  readonly totalMg: number;
  readonly forecast: ScenarioForecast;
  readonly checks: readonly LimitCheck[];
  readonly feasible: boolean;
  /** Expected fraction of the horizon in response. */
  readonly benefit: number;
  readonly meetsTarget: boolean;
}

export interface Recommendation {
  readonly patient: string;
  readonly model: string;
  readonly baseline: PlanForecast['baseline'];
  readonly originH: number;
  readonly horizonH: number;
  readonly draws: number;
  readonly limits: ClinicLimits;
  readonly candidates: readonly Candidate[];
  readonly chosen: Candidate;
  readonly explanation: readonly string[];
  readonly cautions: readonly string[];
  readonly forecast: PlanForecast;
}

/** Default candidate doses: 0.5/0.75/1 mg/kg IV over 40 min (IM/SC: bolus); esketamine intranasal 56/84 mg; else the last dose ×1, ×1.5, ×2. */
export function candidateDoses(fit: PatientFit, modelName: string): CandidateDose[] {
  const record = fit.design.record;
  const last = [...record.doses].reverse().find((d) => d.drug === 'ketamine' || d.drug === 'esketamine');
  const route = last?.route ?? 'iv';
  const drug = planDrug(record, modelName);
  if (drug === 'esketamine' && route === 'intranasal') return ['56 mg', '84 mg'].map((amount) => ({ amount, route, durationH: 0 }));
  if (drug === 'ketamine' && (route === 'iv' || route === 'im' || route === 'sc')) {
    const durationH = route === 'iv' ? (last?.durationH !== undefined && last.durationH > 0 ? last.durationH : 40 / 60) : 0;
    return ['0.5 mg/kg', '0.75 mg/kg', '1 mg/kg'].map((amount) => ({ amount, route, durationH }));
  }
  const mg = last?.amountMg ?? 50;
  return [1, 1.5, 2].map((f) => ({ amount: `${Number((mg * f).toPrecision(4))} mg`, route, durationH: last?.durationH ?? 0 }));
}

function doseMg(amount: string, weightKg: number | undefined, field: string): number {
  const a = parseDoseAmount(amount, field);
  if ('mg' in a) return a.mg;
  if (weightKg === undefined) throw new RecommendRefusal(`${field} ${amount} needs the patient's weight (weight_kg)`, 'the patient record');
  return a.mgPerKg * weightKg;
}

/** Resting blood pressure: BASE_SBP/BASE_DBP, or a later SBP/DBP reading taken at least 6 h after the start of the last dose. */
function restingCovariates(fit: PatientFit, model: CompiledModelWithRandom): { values: Map<string, number>; from: Map<string, string> } {
  const values = new Map<string, number>();
  const from = new Map<string, string>();
  for (const name of model.covariateNames) {
    const spec = model.spec.covariates?.[name] as { default?: number } | undefined;
    if (spec?.default !== undefined) {
      values.set(name, spec.default);
      from.set(name, 'model default');
    }
  }
  for (const [k, v] of Object.entries(fit.design.covariates)) {
    values.set(k, v);
    from.set(k, 'record');
  }
  const record = fit.design.record;
  for (const [type, cov] of [['SBP', 'BASE_SBP'], ['DBP', 'BASE_DBP']] as const) {
    const resting = record.observations.filter((o) => {
      if (o.type.output !== type || o.missing || o.blq) return false;
      const before = record.doses.filter((d) => d.timeH <= o.timeH);
      const lastStart = before.length > 0 ? (before[before.length - 1] as { timeH: number }).timeH : -Infinity;
      return o.timeH - lastStart >= 6;
    });
    const latest = resting[resting.length - 1];
    if (latest !== undefined) {
      values.set(cov, latest.value);
      from.set(cov, `${type} ${latest.value} mmHg at ${(latest.timeH / 24).toFixed(2)} d (${latest.where}; the latest reading at least 6 h after a dose)`);
    }
  }
  return { values, from };
}

/** Contraindications (severity contraindication, pre_dose and flag rules) and cautions of the safety rules. */
export function contraindications(fit: PatientFit, model: CompiledModelWithRandom, rules: SafetyRules): { refusals: string[]; cautions: string[] } {
  const { values, from } = restingCovariates(fit, model);
  const refusals: string[] = [];
  const cautions: string[] = [];
  for (const rule of rules.rules) {
    if (!rule.enabled || (rule.kind !== 'pre_dose' && rule.kind !== 'flag')) continue;
    let hit: string | undefined;
    if (rule.kind === 'flag') {
      const set = rule.covariates.filter((c) => (values.get(c) ?? 0) !== 0);
      if (set.length > 0) hit = `${set.join(', ')} = 1 in the record`;
    } else {
      const applies = rule.only_if.every((c) => {
        const v = values.get(c.covariate);
        if (v === undefined) return false;
        const [op, x] = comparisonOf(c);
        return compare(v, op, x);
      });
      if (!applies) continue;
      for (const c of rule.any) {
        const v = values.get(c.covariate);
        if (v === undefined) continue;
        const [op, x] = comparisonOf(c);
        if (compare(v, op, x)) {
          hit = `${c.covariate} ${v} ${op} ${x} (${from.get(c.covariate) ?? 'record'})`;
          break;
        }
      }
    }
    if (hit === undefined) continue;
    const text = `${rule.title}: ${hit}. Source: ${rule.source} (${rule.status}): "${rule.text}"`;
    if (rule.severity === 'contraindication') refusals.push(text);
    else cautions.push(`${rule.severity}: ${text}`);
  }
  return { refusals, cautions };
}

/** Whether the record can support a forecast; the reason when not. */
export function dataRefusal(fit: PatientFit): string | undefined {
  const record = fit.design.record;
  const first = record.doses[0]?.timeH;
  if (first === undefined) return 'the record has no dose: the drug response cannot be estimated';
  const after = fit.design.observations.filter((o) => o.record.type.output === 'MADRS' && o.record.timeH > first);
  if (after.length === 0) return 'the record has no MADRS rating after the first dose: the patient\'s drug response (ETA_EMAX) is not informed and the forecast would be the population\'s';
  if (!fit.result.converged) return `the fit did not converge (${fit.result.message})`;
  if (!fit.result.uncertainty.hessianPositiveDefinite) return 'the posterior is not locally normal at the mode (Hessian not positive definite)';
  return undefined;
}

const fmt = (x: number, d = 3): string => String(Number(x.toPrecision(d)));
const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;

export function recommend(model: CompiledModelWithRandom, fit: PatientFit, options: RecommendOptions): Recommendation {
  const record = fit.design.record;
  const limits = options.limits;
  const cautions: string[] = [];
  if (options.rules !== undefined) {
    const ci = contraindications(fit, model, options.rules);
    if (ci.refusals.length > 0) throw new RecommendRefusal(`contraindication: ${ci.refusals[0]}`, `safety rules ${options.rules.name} ${options.rules.version}`);
    cautions.push(...ci.cautions);
  }
  if (!model.outputNames.includes('MADRS')) throw new RecommendRefusal(`model ${model.name} has no MADRS output: benefit cannot be forecast`, 'docs/forecasting.md');
  const why = dataRefusal(fit);
  if (why !== undefined) throw new RecommendRefusal(why, 'docs/forecasting.md, "When ketasim refuses"');
  const baseline = recordBaseline(model, fit);
  if (baseline.from === 'model default') throw new RecommendRefusal('the record gives no MADRS baseline (BASE_MADRS or a rating before the first dose): response cannot be defined', 'clinical-practice.md §2.1 (response = 50% reduction from baseline)');

  const horizonH = options.horizonH ?? 28 * 24;
  const originH = options.originH ?? Math.max(0, ...record.doses.map((d) => d.timeH + d.durationH), ...record.observations.map((o) => o.timeH));
  const drug = planDrug(record, model.name);
  const lastDoseH = Math.max(...record.doses.map((d) => d.timeH));
  const doses = options.doses ?? candidateDoses(fit, model.name);
  const intervals = options.intervalsD ?? [3.5, 7, 10, 14, 21, 28];
  const specs: { label: string; dose?: CandidateDose; intervalD?: number; doses: PlannedDose[] }[] = [{ label: 'no further dose', doses: [] }];
  for (const dose of doses) {
    const mg = doseMg(dose.amount, record.weightKg, 'candidate dose');
    for (const k of intervals) {
      const planned: PlannedDose[] = [];
      // Next session k days after the last dose (or now, if that has passed), then every k days within the horizon.
      for (let t = Math.max(originH, lastDoseH + k * 24); t < originH + horizonH; t += k * 24) planned.push({ timeH: t, drug, route: dose.route, amountMg: mg, durationH: dose.durationH });
      if (planned.length === 0) continue;
      specs.push({ label: `${dose.amount} ${dose.route}${dose.durationH > 0 ? ` over ${Math.round(dose.durationH * 60)} min` : ''} every ${k} d`, dose, intervalD: k, doses: planned });
    }
  }
  const forecast = forecastPlans(model, fit, { originH, horizonH, scenarios: specs.map((s) => ({ label: s.label, doses: s.doses })), ...(options.draws !== undefined ? { draws: options.draws } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}), baseline, outputs: ['MADRS', 'CADSS', 'SBP', 'DBP', 'HR'], peakQuantile: limits.quantile, ...(options.groups !== undefined ? { groups: options.groups } : {}) });

  // Posterior too wide: today's MADRS not pinned down.
  const now = forecast.scenarios[0]?.relapse?.madrsAtOrigin;
  if (now !== undefined) {
    const width = now.p95 - now.p05;
    if (width > (limits.max_current_interval_pct / 100) * baseline.value) {
      throw new RecommendRefusal(`the posterior is too wide: the 90% interval of today's predicted MADRS is ${fmt(now.p05)}-${fmt(now.p95)} points (${fmt(width)} wide), more than ${limits.max_current_interval_pct}% of the baseline ${fmt(baseline.value)}; add ratings`, 'docs/forecasting.md, "When ketasim refuses" (max_current_interval_pct of the clinic limits)');
    }
  }

  const baseSbp = fit.design.covariates.BASE_SBP ?? (model.spec.covariates?.BASE_SBP as { default?: number } | undefined)?.default ?? Number.NaN;
  const baseDbp = fit.design.covariates.BASE_DBP ?? (model.spec.covariates?.BASE_DBP as { default?: number } | undefined)?.default ?? Number.NaN;
  const q = limits.quantile;
  const candidates: Candidate[] = specs.map((s, i) => {
    const f = forecast.scenarios[i] as ScenarioForecast;
    const checks: LimitCheck[] = [];
    const L = limits.limits;
    const peakOf = (output: string): number | undefined => {
      const p = f.peaks.find((x) => x.output === output);
      if (p === undefined) return undefined;
      return p.upper.value;
    };
    const peakCheck = (name: LimitName, output: string, base: number | undefined, label: string, unit: string): void => {
      const lim = L[name] as { above?: number; at_least?: number; source: string; enforce: boolean } | undefined;
      if (lim === undefined || s.doses.length === 0) return;
      const v = peakOf(output);
      if (v === undefined) return;
      const x = base === undefined ? v : v - base;
      const bad = lim.above !== undefined ? x > lim.above : x >= (lim.at_least as number);
      const thr = lim.above !== undefined ? `> ${lim.above}` : `≥ ${lim.at_least}`;
      checks.push({ limit: name, enforced: lim.enforce, ok: !bad, text: `${label} (${Math.round(q * 100)}th percentile) ${fmt(x)}${unit}: limit ${thr}${unit}`, source: lim.source });
    };
    peakCheck('peak_sbp', 'SBP', undefined, 'peak SBP', ' mmHg');
    peakCheck('peak_dbp', 'DBP', undefined, 'peak DBP', ' mmHg');
    peakCheck('sbp_rise', 'SBP', baseSbp, 'SBP rise', ' mmHg');
    peakCheck('dbp_rise', 'DBP', baseDbp, 'DBP rise', ' mmHg');
    peakCheck('peak_cadss', 'CADSS', undefined, 'peak CADSS', '');
    if (s.doses.length > 0 && s.dose !== undefined) {
      if (L.session_dose !== undefined) {
        const max = doseMg(L.session_dose.above, record.weightKg, 'limits.session_dose');
        const mg = s.doses[0]?.amountMg as number;
        checks.push({ limit: 'session_dose', enforced: L.session_dose.enforce, ok: mg <= max + 1e-9, text: `dose per session ${fmt(mg)} mg: limit above ${L.session_dose.above} (${fmt(max)} mg)`, source: L.session_dose.source });
      }
      const all = [...record.doses.map((d) => ({ timeH: d.timeH, mg: d.amountMg })), ...s.doses.map((d) => ({ timeH: d.timeH, mg: d.amountMg }))].sort((a, b) => a.timeH - b.timeH);
      if (L.min_interval !== undefined) {
        const minH = parseDurationHours(L.min_interval.at_least, 'limits.min_interval');
        let gap = Infinity;
        for (let k = 1; k < all.length; k++) if ((all[k] as { timeH: number }).timeH >= originH - 1e-9) gap = Math.min(gap, (all[k] as { timeH: number }).timeH - (all[k - 1] as { timeH: number }).timeH);
        checks.push({ limit: 'min_interval', enforced: L.min_interval.enforce, ok: gap >= minH - 1e-9, text: `shortest interval ${fmt(gap / 24)} d: limit at least ${L.min_interval.at_least}`, source: L.min_interval.source });
      }
      if (L.dose_28d !== undefined) {
        const max = doseMg(L.dose_28d.above, record.weightKg, 'limits.dose_28d');
        let worst = 0;
        for (const a of all) {
          const sum = all.filter((b) => b.timeH >= a.timeH && b.timeH < a.timeH + 28 * 24).reduce((x, b) => x + b.mg, 0);
          worst = Math.max(worst, sum);
        }
        checks.push({ limit: 'dose_28d', enforced: L.dose_28d.enforce, ok: worst <= max + 1e-9, text: `largest total in 28 days ${fmt(worst)} mg (record and plan): limit above ${L.dose_28d.above} (${fmt(max)} mg)`, source: L.dose_28d.source });
      }
    }
    const benefit = f.relapse?.fractionInResponse ?? 0;
    const feasible = checks.every((c) => c.ok || !c.enforced);
    const totalMg = s.doses.reduce((x, d) => x + d.amountMg, 0);
    return { label: s.label, ...(s.dose !== undefined ? { dose: s.dose } : {}), ...(s.intervalD !== undefined ? { intervalD: s.intervalD } : {}), doses: s.doses, sessions: s.doses.length, totalMg, forecast: f, checks, feasible, benefit, meetsTarget: benefit >= limits.target_fraction_in_response };
  });

  const feasible = candidates.filter((c) => c.feasible);
  const meeting = feasible.filter((c) => c.meetsTarget);
  let chosen: Candidate;
  const explanation: string[] = [];
  const target = limits.target_fraction_in_response;
  const describe = (c: Candidate): string => `${c.label} (${c.sessions} session${c.sessions === 1 ? '' : 's'}, ${fmt(c.totalMg)} mg): expected ${pct(c.benefit)} of the ${fmt(horizonH / 24)} days in response, ${pct(c.forecast.relapse?.respondingAtEnd ?? 0)} responding at the end`;
  if (meeting.length > 0) {
    chosen = [...meeting].sort((a, b) => a.sessions - b.sessions || a.totalMg - b.totalMg || b.benefit - a.benefit)[0] as Candidate;
    explanation.push(`Recommended: ${describe(chosen)}.`);
    explanation.push(`Why: it is the least dosing (fewest sessions, then lowest total dose) whose expected time in response reaches the target ${pct(target)} of the horizon within every enforced limit; the label individualises maintenance "to the least frequent dosing that maintains remission/response" (clinical-practice.md §1.2).`);
  } else if (feasible.length > 0) {
    chosen = [...feasible].sort((a, b) => b.benefit - a.benefit || a.sessions - b.sessions || a.totalMg - b.totalMg)[0] as Candidate;
    explanation.push(`Recommended: ${describe(chosen)}.`);
    explanation.push(`Why: no candidate within the limits reaches the target ${pct(target)} of the horizon in response; this one gives the most expected time in response.`);
  } else {
    throw new RecommendRefusal('every candidate, including no further dose, breaks an enforced limit', 'the clinic limits');
  }
  const none = candidates[0] as Candidate;
  const best = [...feasible].sort((a, b) => b.benefit - a.benefit)[0] as Candidate;
  if (chosen !== none) explanation.push(`Without a further dose: ${pct(none.benefit)} of the horizon in response (${pct(none.forecast.relapse?.respondingAtEnd ?? 0)} responding at the end; booster due ${none.forecast.booster?.text ?? 'n/a'}).`);
  else explanation.push(`No further dose is needed within the horizon by this criterion; booster due ${none.forecast.booster?.text ?? 'n/a'}.`);
  if (best !== chosen) explanation.push(`The most benefit within the limits: ${describe(best)}.`);
  const excluded = candidates.filter((c) => !c.feasible);
  const binding = new Map<string, number>();
  for (const c of excluded) for (const k of c.checks) if (!k.ok && k.enforced) binding.set(k.limit, (binding.get(k.limit) ?? 0) + 1);
  if (binding.size > 0) {
    explanation.push(`Limits that bind: ${[...binding].map(([k, n]) => `${k} excludes ${n} candidate${n === 1 ? '' : 's'} (source: ${(limits.limits[k as LimitName] as { source: string }).source})`).join('; ')}.`);
    const betterExcluded = excluded.filter((c) => c.benefit > chosen.benefit + 1e-9).sort((a, b) => b.benefit - a.benefit)[0];
    if (betterExcluded !== undefined) explanation.push(`Excluded with more benefit: ${describe(betterExcluded)}; breaks ${betterExcluded.checks.filter((k) => !k.ok && k.enforced).map((k) => `${k.limit} (${k.text})`).join(', ')}.`);
  } else explanation.push('No enforced limit excludes a candidate.');
  const pk = chosen.forecast.peaks;
  if (pk.length > 0) explanation.push(`Expected after each proposed dose (median, 5th-95th percentile of the peak): ${pk.map((p) => `${p.output} ${fmt(p.peak.median)} (${fmt(p.peak.p05)}-${fmt(p.peak.p95)})${p.unit !== '' && p.unit !== 'points' ? ` ${p.unit}` : ''}`).join(', ')}.`);
  return { patient: record.id, model: model.name, baseline, originH, horizonH, draws: forecast.draws, limits, candidates, chosen, explanation, cautions, forecast };
}

/** Merge a clinic file over the defaults: limits it names replace the defaults', the others stay. */
export function mergeLimits(defaults: ClinicLimits, clinic: ClinicLimits | undefined): ClinicLimits {
  if (clinic === undefined) return defaults;
  return { ...clinic, sources: { ...defaults.sources, ...clinic.sources }, limits: { ...defaults.limits, ...clinic.limits } };
}

/** A candidate's doses in words. */
export function candidateText(c: Candidate): string {
  return describeDoses(c.doses);
}
