/**
 * Trial designs as a clinical researcher writes them (YAML or JSON): arms written like regimens (dose lines,
 * co-medications, covariates), N per arm, the population and inclusion criteria, visits, duration, dropout,
 * residual error, between-occasion variability and the endpoints. Validated with zod; errors name the field
 * ("arms[2].doses[1].amount: ..."). Pure: the CLI reads the file, the browser can build a design from a form.
 *
 * See docs/trials.md for every field, and examples/trials/*.yaml.
 */

import { z } from 'zod';
import { KetasimError } from '../core/errors.js';
import { regimenDoseSchema } from '../regimen/regimen.js';
import { parseDurationHours, parseNumberList, RegimenError } from '../regimen/quantity.js';
import { firstSchemaIssue } from '../core/schema-issue.js';

/** An error in a trial design; `field` names where (e.g. `arms[1].n`). */
export class TrialError extends KetasimError {
  constructor(
    readonly detail: string,
    readonly field = '',
  ) {
    super(field !== '' ? `${field}: ${detail}` : detail);
    this.name = 'TrialError';
  }
}

const bounds = { min: z.number().optional(), max: z.number().optional() };

/** A covariate distribution. `min`/`max` truncate it (values outside are drawn again). */
export const distributionSchema = z.union([
  z.number(),
  z.discriminatedUnion('dist', [
    z.object({ dist: z.literal('fixed'), value: z.number() }).strict(),
    z.object({ dist: z.literal('normal'), mean: z.number(), sd: z.number().nonnegative(), ...bounds }).strict(),
    z.object({ dist: z.literal('lognormal'), median: z.number().positive(), sdlog: z.number().nonnegative(), ...bounds }).strict(),
    z.object({ dist: z.literal('uniform'), min: z.number(), max: z.number() }).strict(),
    z
      .object({ dist: z.literal('categorical'), values: z.array(z.number()).min(1), p: z.array(z.number().nonnegative()).min(1) })
      .strict()
      .refine((c) => c.values.length === c.p.length, { message: 'values and p must have the same length' }),
  ]),
]);
export type Distribution = z.infer<typeof distributionSchema>;

const rangeSchema = z.object({ min: z.number().optional(), max: z.number().optional() }).strict();

const residualSchema = z
  .object({
    additive: z.number().nonnegative().optional(),
    proportional: z.number().nonnegative().optional(),
    exponential: z.number().nonnegative().optional(),
    range: z.tuple([z.number(), z.number()]).optional(),
  })
  .strict();

const durationSchema = z.union([z.string(), z.number()]);

const thresholdSchema = z
  .object({
    output: z.string().min(1),
    /** Peak > value. */
    above: z.number().optional(),
    /** Peak ≥ value. */
    at_least: z.number().optional(),
    /** Peak rise over the subject's value at time 0 (before the first dose) ≥ value. */
    rise_at_least: z.number().optional(),
    /** Peak rise > value. */
    rise_above: z.number().optional(),
    source: z.string().optional(),
  })
  .strict()
  .refine((s) => [s.above, s.at_least, s.rise_at_least, s.rise_above].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of above, at_least, rise_above, rise_at_least',
  });
export type SafetyThreshold = z.infer<typeof thresholdSchema>;

/** A threshold, or several of which a patient must meet at least one ("SBP rise ≥ 40 and/or DBP rise ≥ 25"). */
const safetySchema = z.union([thresholdSchema, z.object({ any_of: z.array(thresholdSchema).min(2), source: z.string().optional() }).strict()]);
export type SafetyEntry = z.infer<typeof safetySchema>;

/** The single thresholds of a safety entry. */
export function thresholdsOf(entry: SafetyEntry): readonly SafetyThreshold[] {
  return 'any_of' in entry ? entry.any_of : [entry];
}

export const armSchema = z
  .object({
    name: z.string().min(1),
    n: z.number().int().positive(),
    description: z.string().optional(),
    doses: z.array(regimenDoseSchema).min(1, 'an arm has at least one dose line'),
    /** Co-medications by name (the model covariate of that name, upper case, is set to 1). */
    with: z.array(z.string()).default([]),
    /** Covariates fixed for every patient of this arm (override the population's). */
    covariates: z.record(z.string(), z.number()).default({}),
  })
  .strict();
export type Arm = z.output<typeof armSchema>;

export const designSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Where the design comes from (citation), and notes. */
    source: z.string().optional(),
    model: z.string().min(1),
    seed: z.number().int().nonnegative().default(1),
    /** End of the trial, from the start of day 0 ("28 d"). */
    duration: durationSchema,
    visits: z
      .object({
        /** Visit days (day 0 = the first dose day; visits are at the start of the day, before that day's doses): [0, 1, 7], "0:28" or "0:28:7". */
        days: z.union([z.string(), z.number(), z.array(z.number())]).optional(),
        /** Extra visit times in hours from the start (e.g. 0.67 for 40 min, 2, 4). */
        hours: z.union([z.string(), z.number(), z.array(z.number())]).optional(),
      })
      .strict(),
    population: z
      .object({
        /** Start from the default population (docs/trials.md; default true); `covariates` override it per name. */
        defaults: z.boolean().default(true),
        covariates: z.record(z.string(), distributionSchema).default({}),
      })
      .strict()
      .default({ defaults: true, covariates: {} }),
    /** Inclusion criteria on covariates: patients outside are replaced by new draws (rejection sampling). */
    inclusion: z.record(z.string(), rangeSchema).default({}),
    arms: z.array(armSchema).min(1, 'a trial has at least one arm'),
    /** Arm the others are compared with (default: the last arm). */
    control: z.string().optional(),
    dropout: z
      .union([
        z.object({ hazard_per_day: z.number().nonnegative(), missing: z.enum(['observed', 'locf']).default('observed') }).strict(),
        z.object({ fraction: z.number().min(0).lt(1), by_day: z.number().positive(), missing: z.enum(['observed', 'locf']).default('observed') }).strict(),
        z.object({ per_visit: z.number().min(0).lt(1), missing: z.enum(['observed', 'locf']).default('observed') }).strict(),
      ])
      .optional(),
    /** Residual (rating) error per output; default: the model's `residual` block for that output, else none. */
    residual: z.record(z.string(), z.union([residualSchema, z.literal('none')])).default({}),
    /** Between-occasion variability: SD of a new deviation of the named random effect at every dose occasion. */
    occasion_variability: z.record(z.string(), z.number().nonnegative()).default({}),
    endpoints: z
      .object({
        /** Symptom score output (default: the first model output with a known scale, e.g. MADRS). */
        score: z.string().optional(),
        /** Response: at least this % reduction from baseline (default 50). */
        response_pct: z.number().positive().max(100).default(50),
        /** Remission threshold (default: the scale's convention, MADRS < 10). */
        remission: z
          .object({ below: z.number().optional(), at_most: z.number().optional() })
          .strict()
          .refine((r) => (r.below === undefined) !== (r.at_most === undefined), { message: 'give below or at_most' })
          .optional(),
        /** Relapse among responders at the first visit at least `assess_after_last_dose` after the start of the last dose. */
        relapse: z.union([z.literal(false), z.object({ assess_after_last_dose: durationSchema.default('24 h') }).strict()]).default({ assess_after_last_dose: '24 h' }),
        /** Safety thresholds on peaks (default: CADSS > 4, SBP rise ≥ 40, DBP rise ≥ 25, SBP > 180, DBP > 110 where the model has the output). */
        safety: z.array(safetySchema).optional(),
        /**
         * Safety thresholds judged on simulated clinic readings instead of model peaks: at `times` after the start
         * of each dose (the first is the session's baseline reading: 0 min = just before the dose), each with the
         * output's residual (measurement) error; rises are over the same session's first reading. `outputs`
         * (default: every output with a threshold) chooses which thresholds are read this way.
         */
        readings: z
          .object({
            times: z.array(durationSchema).min(1),
            outputs: z.array(z.string().min(1)).min(1).optional(),
            source: z.string().optional(),
          })
          .strict()
          .optional(),
        /** Peaks are read on a fine grid from the start of each dose to `window` after its end, every `step`. */
        peaks: z.object({ window: durationSchema.default('4 h'), step: durationSchema.default('5 min') }).strict().default({ window: '4 h', step: '5 min' }),
      })
      .strict()
      .default({ response_pct: 50, relapse: { assess_after_last_dose: '24 h' }, peaks: { window: '4 h', step: '5 min' } }),
    /** Solver overrides (e.g. { rtol: 1e-4 }). */
    solver: z.object({ rtol: z.number().positive().optional(), atol: z.number().positive().optional() }).strict().optional(),
  })
  .strict();

export type DesignInput = z.input<typeof designSchema>;
export type Design = z.output<typeof designSchema>;

/** Validate a design; the first problem is thrown with its field path. */
export function parseDesign(input: unknown, source = 'design'): Design {
  const parsed = designSchema.safeParse(input);
  if (!parsed.success) {
    const first = firstSchemaIssue(parsed.error);
    const path = first.path;
    let detail = first.detail;
    if (first.issue?.code === 'invalid_union' && path.endsWith('dropout')) detail = 'expected { hazard_per_day }, { fraction, by_day } or { per_visit } (with optional missing: observed | locf)';
    throw new TrialError(detail, path === '' ? source : `${source}: ${path}`);
  }
  const design = parsed.data;
  const names = new Set<string>();
  design.arms.forEach((a, i) => {
    if (names.has(a.name)) throw new TrialError(`arm name "${a.name}" is used twice`, `${source}: arms[${i + 1}].name`);
    names.add(a.name);
  });
  if (design.control !== undefined && !names.has(design.control)) {
    throw new TrialError(`no arm is called "${design.control}" (arms: ${[...names].join(', ')})`, `${source}: control`);
  }
  return design;
}

/** Convert regimen-quantity errors (which name the field) to trial errors under a prefix. */
export function withField<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RegimenError) throw new TrialError(e.message, prefix);
    throw e;
  }
}

export interface Visit {
  /** Hours from the start of day 0. */
  readonly timeH: number;
  /** "day 1", "2 h", "40 min". */
  readonly label: string;
}

/** "0:28" → 0…28; "0:28:7" → 0, 7, 14, 21, 28; lists as parseNumberList. */
export function parseRange(value: string | number | readonly number[], field: string): number[] {
  if (typeof value === 'string' && value.includes(':')) {
    const parts = value.split(':').map((s) => Number(s.trim()));
    if (parts.length < 2 || parts.length > 3 || parts.some((x) => !Number.isFinite(x))) throw new TrialError(`"${value}" is not start:end or start:end:step`, field);
    const [a, b, step = 1] = parts as [number, number, number?];
    if (!(step > 0) || b < a) throw new TrialError(`"${value}": the end must not be before the start and the step must be positive`, field);
    const out: number[] = [];
    for (let k = 0; a + k * step <= b + 1e-9 * Math.max(1, Math.abs(b)); k++) out.push(Number((a + k * step).toPrecision(12)));
    return out;
  }
  return withField(field, () => parseNumberList(value, field));
}

function visitLabel(h: number): string {
  const r = (x: number): string => String(Number(x.toPrecision(6)));
  if (h === 0) return 'baseline';
  if (h % 24 === 0) return `day ${r(h / 24)}`;
  if (h < 1) return `${r(h * 60)} min`;
  return `${r(h)} h`;
}

/** Visit times in hours (baseline at 0 always included), ascending, within the duration. */
export function designVisits(design: Design, source = 'design'): { visits: Visit[]; durationH: number } {
  const durationH = withField(`${source}: duration`, () => parseDurationHours(design.duration, 'duration'));
  if (!(durationH > 0)) throw new TrialError('the duration must be positive', `${source}: duration`);
  const times = new Set<number>([0]);
  const add = (t: number, field: string): void => {
    if (t < 0) throw new TrialError(`visit at a negative time (${t} h)`, field);
    if (t > durationH + 1e-9) throw new TrialError(`visit at ${t} h is after the end of the trial (${durationH} h); lengthen duration`, field);
    times.add(Math.round(t * 1e9) / 1e9);
  };
  if (design.visits.days !== undefined) for (const d of parseRange(design.visits.days, `${source}: visits.days`)) add(d * 24, `${source}: visits.days`);
  if (design.visits.hours !== undefined) for (const h of parseRange(design.visits.hours, `${source}: visits.hours`)) add(h, `${source}: visits.hours`);
  if (times.size < 2) throw new TrialError('give at least one visit after baseline (days or hours)', `${source}: visits`);
  const visits = [...times].sort((a, b) => a - b).map((t) => ({ timeH: t, label: visitLabel(t) }));
  return { visits, durationH };
}
