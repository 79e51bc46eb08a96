/**
 * Limits a clinic sets for `ketasim recommend` (docs/forecasting.md): predicted peaks of blood pressure and
 * dissociation after a proposed dose, the dose per session, the total dose in any 28 days, the minimum interval
 * between sessions, the benefit target and when the data are too thin to forecast. Each limit carries its source.
 * Defaults per drug (racemic ketamine, esketamine) come from models/ketamine/safety.rules and
 * /work/shared/literature/clinical-practice.md; a clinic file (YAML, `ketasim: clinic-limits/1`) replaces any of
 * them. Validated with zod; errors name the file and the field. Pure.
 */

import { z } from 'zod';
import { KetasimError } from '../core/errors.js';
import { parseDoseAmount, parseDurationHours } from '../regimen/quantity.js';
import { firstSchemaIssue } from '../core/schema-issue.js';

export class ClinicLimitsError extends KetasimError {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const sourced = {
  /** Key of `sources`. */
  source: z.string().min(1),
  /** What the source says. */
  text: z.string().min(1).optional(),
  /** Authority (primary, secondary, derived, clinic policy…). */
  status: z.string().min(1).optional(),
  /** false: reported beside each candidate, not used to exclude it. */
  enforce: z.boolean().default(true),
};

/** A predicted peak above a value (or a rise above the patient's baseline) excludes a candidate. */
const peakLimit = z
  .object({ ...sourced, above: z.number().optional(), at_least: z.number().optional() })
  .strict()
  .refine((r) => (r.above === undefined) !== (r.at_least === undefined), { message: 'give exactly one of above, at_least' });

const doseLimit = z.object({ ...sourced, above: z.string().min(1) }).strict();
const intervalLimit = z.object({ ...sourced, at_least: z.string().min(1) }).strict();

export const clinicLimitsSchema = z
  .object({
    ketasim: z.literal('clinic-limits/1', { error: 'the first line must be `ketasim: clinic-limits/1`' }),
    name: z.string().min(1),
    /** Predicted peaks are judged at this quantile of the posterior (0.95: a 5 % chance of exceeding the limit is accepted). */
    quantile: z.number().gt(0).lt(1).default(0.95),
    sources: z.record(z.string(), z.string().min(1)).default({}),
    limits: z
      .object({
        peak_sbp: peakLimit.optional(),
        peak_dbp: peakLimit.optional(),
        sbp_rise: peakLimit.optional(),
        dbp_rise: peakLimit.optional(),
        peak_cadss: peakLimit.optional(),
        /** Dose per session above this ("1 mg/kg", "84 mg"). */
        session_dose: doseLimit.optional(),
        /** Total dose in any 28 days (record and plan) above this. */
        dose_28d: doseLimit.optional(),
        /** Sessions closer than this ("2 d"). */
        min_interval: intervalLimit.optional(),
      })
      .strict()
      .default({}),
    /** Benefit target: expected fraction of the horizon in response that a plan must reach to be "enough". */
    target_fraction_in_response: z.number().gt(0).max(1).default(0.8),
    /** Refuse when the 90 % interval of today's predicted MADRS is wider than this % of the baseline. */
    max_current_interval_pct: z.number().positive().default(50),
  })
  .strict();

export type ClinicLimitsInput = z.input<typeof clinicLimitsSchema>;
export type ClinicLimits = z.output<typeof clinicLimitsSchema>;
export type LimitName = keyof ClinicLimits['limits'];

/** `knownSources`: source keys a file may cite without listing them (the defaults'). */
export function parseClinicLimits(input: unknown, source = 'clinic limits', knownSources: Readonly<Record<string, string>> = {}): ClinicLimits {
  const parsed = clinicLimitsSchema.safeParse(input);
  if (!parsed.success) {
    const { path, detail } = firstSchemaIssue(parsed.error);
    throw new ClinicLimitsError(detail, path === '' ? source : `${source}: ${path}`);
  }
  const limits = parsed.data;
  for (const [name, limit] of Object.entries(limits.limits)) {
    const field = `${source}: limits.${name}`;
    if (limit === undefined) continue;
    if (limits.sources[limit.source] === undefined && knownSources[limit.source] === undefined) throw new ClinicLimitsError(`unknown source "${limit.source}" (sources: ${[...Object.keys(limits.sources), ...Object.keys(knownSources)].join(', ') || 'none'})`, `${field}.source`);
    try {
      if (name === 'session_dose' || name === 'dose_28d') parseDoseAmount((limit as { above: string }).above, `${field}.above`);
      if (name === 'min_interval') parseDurationHours((limit as { at_least: string }).at_least, `${field}.at_least`);
    } catch (e) {
      throw new ClinicLimitsError((e as Error).message.replace(`${field}.`, ''), field);
    }
  }
  return limits;
}

export const DEFAULT_LIMIT_SOURCES: Readonly<Record<string, string>> = {
  'spravato-label-effects': "Spravato (esketamine) US label, blood pressure (brief summary mirror https://www.usmedicine.com/2021online-dir/inc/html/33.html); clinical-practice.md 1.2 (primary, label mirror); rules sbp-rise-40, dbp-rise-25 of models/ketamine/safety.rules.",
  delsant2020: 'Del Sant 2020, subcutaneous esketamine up to 1 mg/kg (transient hypertension SBP > 180 and/or DBP > 110 mmHg); clinical-practice.md 1.5 (secondary); rules sbp-above-180, dbp-above-110 of models/ketamine/safety.rules.',
  'jnj-dissociation': 'Spravato label, dissociation, and J&J Medical Information (CADSS total > 4); clinical-practice.md 1.2 (primary); rule dissociation-cadss of models/ketamine/safety.rules.',
  andrade2017: 'Andrade, J Clin Psychiatry 2017;78:e852: most common 0.5 mg/kg, some need up to 0.75 mg/kg, over 40 min; Del Sant 2020 and Glue 2017 used up to 1 mg/kg SC. clinical-practice.md 1.5 (secondary).',
  murrough2013b: 'Murrough 2013b (Biol Psychiatry 2013;74:250): up to six 0.5 mg/kg infusions three times weekly over 12 days. clinical-practice.md 1.6 (secondary).',
  'spravato-dosing': 'Spravato US label, TRD dosing: 56 or 84 mg twice weekly in weeks 1-4, then weekly or every 2 weeks (Medscape and spravatohcp mirrors); clinical-practice.md 1.2 (primary, mirror).',
};

/** Default limits for racemic ketamine (mg/kg doses) or esketamine (fixed nasal doses). */
export function defaultClinicLimits(drug: 'ketamine' | 'esketamine'): ClinicLimits {
  const esk = drug === 'esketamine';
  const input: ClinicLimitsInput = {
    ketasim: 'clinic-limits/1',
    name: `ketasim defaults (${drug})`,
    sources: { ...DEFAULT_LIMIT_SOURCES },
    limits: {
      peak_sbp: { above: 180, source: 'delsant2020', status: 'secondary', text: '14/70 patients had transient hypertension (SBP > 180 and/or DBP > 110 mmHg)' },
      peak_dbp: { above: 110, source: 'delsant2020', status: 'secondary', text: '14/70 patients had transient hypertension (SBP > 180 and/or DBP > 110 mmHg)' },
      sbp_rise: { at_least: 40, source: 'spravato-label-effects', status: 'primary (label mirror)', text: '8%-19% of Spravato vs 1%-4% of placebo patients had an increase of >= 40 mmHg SBP and/or >= 25 mmHg DBP in the first 1.5 h' },
      dbp_rise: { at_least: 25, source: 'spravato-label-effects', status: 'primary (label mirror)', text: 'an increase of >= 40 mmHg SBP and/or >= 25 mmHg DBP in the first 1.5 h' },
      peak_cadss: { above: 4, enforce: false, source: 'jnj-dissociation', status: 'primary', text: '61%-84% vs 5%-16% placebo, using CADSS total score > 4; reported, not enforced: most patients exceed it at label doses' },
      session_dose: esk
        ? { above: '84 mg', source: 'spravato-dosing', status: 'primary (label mirror)', text: '56 or 84 mg per session' }
        : { above: '1 mg/kg', source: 'andrade2017', status: 'secondary', text: 'most common 0.5 mg/kg; some need up to 0.75 mg/kg; SC studies up to 1 mg/kg' },
      dose_28d: esk
        ? { above: '672 mg', source: 'spravato-dosing', status: 'derived', text: 'the label\'s most intensive schedule, 84 mg twice weekly: 8 sessions x 84 mg in 28 days' }
        : { above: '6 mg/kg', source: 'murrough2013b', status: 'derived', text: 'three infusions a week of 0.5 mg/kg (Murrough 2013b): 12 x 0.5 mg/kg in 28 days' },
      min_interval: esk
        ? { at_least: '3 d', source: 'spravato-dosing', status: 'derived', text: 'twice weekly at most (sessions 3-4 days apart)' }
        : { at_least: '2 d', source: 'murrough2013b', status: 'derived', text: 'three times weekly at most (Monday, Wednesday, Friday: 2 days apart)' },
    },
  };
  return parseClinicLimits(input, 'default limits');
}
