/**
 * The model definition: what a model file (YAML, see docs/model-format.md) contains, validated with zod.
 *
 * One block per concern, in the order a modeller thinks (as Pumas' @model and mrgsolve's model files):
 *   metadata → units → references → parameters → random (BSV) → covariates → compartments
 *   → individual (individual parameters) → dose (F, lag, rate, duration per compartment)
 *   → dynamics (closed form and/or ODEs) → initial → outputs → solver.
 * Numbers that a reviewer must be able to trace (parameter values) carry unit, source and evidence.
 */

import { z } from 'zod';

const name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a name starts with a letter and has only letters, digits and _');

/** An expression (see src/core/expr) or a plain number. */
const expression = z.union([z.number(), z.string().min(1)]);

/** How a value is known (PKPDsim-style provenance), so that reviewers can tell data from assumptions. */
export const evidenceKinds = ['published', 'derived', 'assumed', 'calibrated', 'reference'] as const;

const parameter = z
  .object({
    value: z.number({ error: 'value must be a number' }),
    unit: z.string().min(1, 'unit is required ("1" for dimensionless)'),
    description: z.string().optional(),
    /** Citation key (see references) or free text: where the number comes from. */
    source: z.string().optional(),
    evidence: z.enum(evidenceKinds).optional(),
    /** Free text: arithmetic for derived values, calibration target for calibrated ones, caveats. */
    note: z.string().optional(),
    /** Allowed range; values outside are rejected (e.g. a fraction in [0, 1]). */
    bounds: z.tuple([z.number(), z.number()]).optional(),
  })
  .strict();

const randomEffect = z
  .object({
    /** Variance ω² of the random effect (on the scale it enters the individual equations). */
    variance: z.number().nonnegative().optional(),
    /** Standard deviation ω (alternative to variance). */
    sd: z.number().nonnegative().optional(),
    /** Coefficient of variation of a log-normally distributed parameter, as a fraction (0.3 = 30%): ω² = ln(1 + cv²). */
    cv: z.number().nonnegative().optional(),
    description: z.string().optional(),
    source: z.string().optional(),
    evidence: z.enum(evidenceKinds).optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine((r) => [r.variance, r.sd, r.cv].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of variance, sd or cv',
  });

const correlation = z.tuple([name, name, z.number().min(-1).max(1)]);

const covariate = z
  .object({
    unit: z.string().min(1),
    description: z.string().optional(),
    /** Used when the data set has no such column. Without a default the column is required. */
    default: z.number().optional(),
  })
  .strict();

const compartment = z
  .object({
    description: z.string().optional(),
    /** Unit of the state (amount unit for compartments, concentration for an effect compartment, any for PD states). */
    unit: z.string().optional(),
  })
  .strict();

const doseControl = z
  .object({
    bioavailability: expression.optional(),
    lag: expression.optional(),
    /** Infusion rate used for doses with RATE = -1 (amount/time). */
    rate: expression.optional(),
    /** Infusion duration used for doses with RATE = -2 (time). */
    duration: expression.optional(),
  })
  .strict();

const depot = z.object({ compartment: name, ka: expression }).strict();

const closedForm = z
  .object({
    /** One first-order absorption depot; its rate is parameters.KA. */
    depot: name.optional(),
    /** Several depots (one per route), each with its own absorption rate. */
    depots: z.array(depot).default([]),
    central: name,
    peripherals: z.array(name).max(2).default([]),
    effect: name.optional(),
    /**
     * Parameterisation, by key (values are expressions):
     *  clearances: CL, V (or V1), Q (or Q2), V2, Q3, V3, KA, KE0
     *  rate constants: K10 (or K), V (or V1), K12, K21, K13, K31, KA, KE0
     */
    parameters: z.record(z.string(), expression),
  })
  .strict()
  .refine((c) => c.depot === undefined || c.depots.length === 0, { message: 'give depot (one, rate KA) or depots (several), not both' });

const output = z
  .object({
    value: expression,
    unit: z.string().min(1, 'unit is required ("1" for dimensionless)'),
    description: z.string().optional(),
  })
  .strict();

/**
 * Residual (unexplained, observation-level) error of an output, as NONMEM's $ERROR: `additive` SD (output unit),
 * `proportional` SD (fraction of the prediction), both (combined: variance a² + (b·f)²), or `exponential` SD on the
 * log scale (log-normal observations). `range`: the instrument's range (a rating scale 0-60); simulated
 * observations outside it are set to the nearest end, and `ketasim describe` says so.
 */
const residual = z
  .object({
    additive: z.number().nonnegative().optional(),
    proportional: z.number().nonnegative().optional(),
    exponential: z.number().nonnegative().optional(),
    range: z.tuple([z.number(), z.number()]).optional(),
    description: z.string().optional(),
    source: z.string().optional(),
    evidence: z.enum(evidenceKinds).optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine((r) => r.additive !== undefined || r.proportional !== undefined || r.exponential !== undefined, {
    message: 'give additive, proportional (or both: combined) or exponential',
  })
  .refine((r) => r.exponential === undefined || (r.additive === undefined && r.proportional === undefined), {
    message: 'exponential (log-normal) error cannot be combined with additive or proportional',
  })
  .refine((r) => r.range === undefined || r.range[0] < r.range[1], { message: 'range: [low, high] with low < high' });

export const solverMethods = ['dopri5', 'dop853', 'bdf', 'auto'] as const;

const solver = z
  .object({
    method: z.enum(solverMethods).default('dopri5'),
    rtol: z.number().positive().default(1e-8),
    atol: z.number().positive().default(1e-8),
    max_steps: z.number().int().positive().default(100000),
  })
  .strict();

export const modelSpecSchema = z
  .object({
    ketasim: z.literal('model/1', { error: "the first key must be `ketasim: model/1` (the model file format version)" }),
    /** Name of a base model this one builds on (resolved when loading; see load.ts). */
    extends: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a model name has letters, digits, ".", "_" and "-"'),
    version: z.string().min(1),
    title: z.string().min(1),
    description: z.string().optional(),
    /** What the model is for and what it is not (shown by `ketasim describe`). */
    intended_use: z.string().optional(),
    units: z.object({ time: z.string().min(1), amount: z.string().min(1), volume: z.string().min(1) }).strict(),
    references: z.record(z.string(), z.string()).default({}),
    /** Which published numbers the model was calibrated on, and how. */
    calibration: z.string().optional(),
    parameters: z.record(name, parameter).default({}),
    random: z.record(name, randomEffect).default({}),
    correlations: z.array(correlation).default([]),
    covariates: z.record(name, covariate).default({}),
    compartments: z.record(name, compartment.nullable().transform((c) => c ?? {})),
    default_dose: name.optional(),
    /**
     * Route names used by regimens (iv, im, sc, oral, sublingual, intranasal…) → the compartment receiving the dose,
     * or several compartments: a dose by that route becomes one dose record per compartment with the same amount
     * (how NONMEM data sets code dual absorption); each compartment's `dose` control sets its fraction.
     */
    routes: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_-]*$/, 'route names are lower case'),
        z.union([name.transform((n) => [n]), z.array(name).min(1)]),
      )
      .default({}),
    individual: z.string().default(''),
    dose: z.record(name, doseControl).default({}),
    dynamics: z
      .object({ closed_form: closedForm.optional(), ode: z.string().optional() })
      .strict()
      .refine((d) => d.closed_form !== undefined || d.ode !== undefined, { message: 'give closed_form, ode, or both' }),
    initial: z.record(name, expression).default({}),
    outputs: z.record(name, output),
    /** Observation-level error of outputs (for simulated observations, trials and fitting), by output name. */
    residual: z.record(name, residual).default({}),
    solver: solver.default({ method: 'dopri5', rtol: 1e-8, atol: 1e-8, max_steps: 100000 }),
  })
  .strict();

export type ModelSpec = z.infer<typeof modelSpecSchema>;
export type ParameterSpec = z.infer<typeof parameter>;
export type RandomEffectSpec = z.infer<typeof randomEffect>;
export type CovariateSpec = z.infer<typeof covariate>;
export type DoseControlSpec = z.infer<typeof doseControl>;
export type ClosedFormSpec = z.infer<typeof closedForm>;
export type ResidualSpec = z.infer<typeof residual>;
export type OutputSpec = z.infer<typeof output>;
export type SolverSpec = z.infer<typeof solver>;
export type Expression = z.infer<typeof expression>;
