/**
 * Validation files: published results as data. A file `validation/<name>.yaml` names one library model and
 * lists targets; each target is a published number, the scenario that produced it (a regimen), the metric that
 * reads it off the simulation, and how close the model must come. See docs/validation.md.
 *
 * Pure (no I/O): the CLI reads the files; parseValidationFile takes their text.
 */

import { isNode, LineCounter, parseDocument } from 'yaml';
import { z, type ZodError } from 'zod';
import { fieldPath } from '../core/schema-issue.js';
import { ValidationError } from './errors.js';
import { mergeScenario, resolveScenario } from './scenario.js';

export { ValidationError };

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const positive = z.number().positive();
const nonNegative = z.number().min(0);
const timeUnit = z.enum(['min', 'h', 'd']);

/** A scenario as written: a regimen (src/regimen schema) plus the keys of scenario.ts (checked by resolveScenario). */
const scenarioSchema = z.record(z.string(), z.unknown());

/** Per-subject conditions (events, subsets): exactly one of the keys. */
export const conditionSchema = z
  .object({
    above: finite.optional(),
    below: finite.optional(),
    reduction_at_least_pct: finite.optional(),
    reduction_below_pct: finite.optional(),
  })
  .strict()
  .refine((c) => Object.values(c).filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of above, below, reduction_at_least_pct, reduction_below_pct',
  });
export type Condition = z.infer<typeof conditionSchema>;

const aggregate = z.enum(['mean_curve', 'mean', 'median', 'geometric_mean']);
const output = z.string().min(1);

const window = { from_h: nonNegative.optional(), to_h: nonNegative.optional() };
const curveBase = { output, aggregate: aggregate.optional() };

const cmaxSchema = z.object({ type: z.literal('cmax'), ...curveBase, ...window }).strict();
const tmaxSchema = z.object({ type: z.literal('tmax'), ...curveBase, ...window, time_unit: timeUnit.optional() }).strict();
const aucSchema = z
  .object({ type: z.literal('auc'), ...curveBase, ...window, extrapolate: z.boolean().optional() })
  .strict()
  .refine((m) => !(m.extrapolate === true && m.to_h !== undefined), { message: 'extrapolate (to infinity) and to_h exclude each other' });
const valueSchema = z.object({ type: z.literal('value'), ...curveBase, at_h: nonNegative }).strict();
const changeSchema = z.object({ type: z.literal('change'), ...curveBase, at_h: nonNegative, baseline_h: nonNegative.optional() }).strict();
const percentChangeSchema = z.object({ type: z.literal('percent_change'), ...curveBase, at_h: nonNegative, baseline_h: nonNegative.optional() }).strict();
const clearanceSchema = z.object({ type: z.literal('clearance'), ...curveBase }).strict();
const meanChangeSchema = z.object({ type: z.literal('mean_change'), output, at_h: nonNegative, baseline_h: nonNegative.optional() }).strict();
const responseRateSchema = z
  .object({ type: z.literal('response_rate'), output, at_h: nonNegative, baseline_h: nonNegative.optional(), reduction_pct: positive.max(100).optional() })
  .strict();
const remissionRateSchema = z.object({ type: z.literal('remission_rate'), output, at_h: nonNegative, threshold: finite }).strict();
const fractionAboveSchema = z
  .object({
    type: z.literal('fraction_above'),
    output,
    threshold: finite,
    ...window,
    from_baseline: z.boolean().optional(),
    baseline_h: nonNegative.optional(),
  })
  .strict();
const medianTimeToSchema = z
  .object({
    type: z.literal('median_time_to'),
    output,
    reference_h: nonNegative,
    event: conditionSchema,
    baseline_h: nonNegative.optional(),
    among: z.object({ at_h: nonNegative, condition: conditionSchema }).strict().optional(),
    to_h: nonNegative.optional(),
    time_unit: timeUnit.optional(),
  })
  .strict();

const simpleMetrics = [
  cmaxSchema,
  tmaxSchema,
  aucSchema,
  valueSchema,
  changeSchema,
  percentChangeSchema,
  clearanceSchema,
  meanChangeSchema,
  responseRateSchema,
  remissionRateSchema,
  fractionAboveSchema,
  medianTimeToSchema,
] as const;
const simpleMetricSchema = z.discriminatedUnion('type', [...simpleMetrics]);
export type SimpleMetric = z.infer<typeof simpleMetricSchema>;

/** One side of a ratio: a metric, optionally in its own scenario (merged over the target's). */
const ratioPartSchema = z.object({ metric: simpleMetricSchema, scenario: scenarioSchema.optional() }).strict();
const ratioSchema = z.object({ type: z.literal('ratio'), numerator: ratioPartSchema, denominator: ratioPartSchema }).strict();
export type RatioMetric = z.infer<typeof ratioSchema>;

/**
 * Two arms of a trial, each a scenario override merged over the target's: the standardised difference of their
 * mean changes (Cohen's d with the pooled SD of the subjects' changes; trials report it as d or Hedges' g).
 */
const armSchema = z.object({ scenario: scenarioSchema.optional() }).strict();
const effectSizeSchema = z
  .object({ type: z.literal('effect_size'), output, at_h: nonNegative, baseline_h: nonNegative.optional(), treatment: armSchema, control: armSchema })
  .strict();
export type EffectSizeMetric = z.infer<typeof effectSizeSchema>;

export const METRIC_TYPES = [
  'cmax', 'tmax', 'auc', 'value', 'change', 'percent_change', 'clearance',
  'mean_change', 'response_rate', 'remission_rate', 'fraction_above', 'median_time_to', 'ratio', 'effect_size',
] as const;

/** Metric types are checked first (clear error for an unknown type), then the metric's own fields. */
const metricSchema = z
  .object({ type: z.enum(METRIC_TYPES) })
  .loose()
  .pipe(z.discriminatedUnion('type', [...simpleMetrics, ratioSchema, effectSizeSchema]));
export type Metric = SimpleMetric | RatioMetric | EffectSizeMetric;

export const publishedSchema = z
  .object({
    value: finite,
    sd: nonNegative.optional(),
    se: nonNegative.optional(),
    ci: z.tuple([finite, finite]).optional(),
    gsd: z.number().min(1).optional(),
    n: z.number().int().positive().optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine((p) => p.ci === undefined || p.ci[0] <= p.ci[1], { message: 'ci: [lower, upper] with lower ≤ upper' });
export type Published = z.infer<typeof publishedSchema>;

/**
 * How close the model must be. A target passes when at least one of the given criteria holds:
 * `relative` |pred − pub| ≤ r·|pub|; `absolute` |pred − pub| ≤ a; `factor` pub/f ≤ pred ≤ pub·f;
 * `within` ci: inside the published CI; sd / se: within k SD / SE of the published mean (k default 1 for sd,
 * 1.96 for se); gsd: within ×/÷ gsd^k (k default 1).
 */
export const toleranceSchema = z
  .object({
    relative: positive.optional(),
    absolute: positive.optional(),
    factor: z.number().gt(1).optional(),
    within: z.enum(['ci', 'sd', 'se', 'gsd']).optional(),
    k: positive.optional(),
  })
  .strict()
  .refine((t) => t.relative !== undefined || t.absolute !== undefined || t.factor !== undefined || t.within !== undefined, {
    message: 'give at least one of relative, absolute, factor, within',
  })
  .refine((t) => t.k === undefined || t.within !== undefined, { message: 'k goes with within (sd, se or gsd)' });
export type Tolerance = z.infer<typeof toleranceSchema>;

export const targetSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - (starting with a letter or digit)'),
    description: z.string().min(1),
    source: z.string().min(1),
    use: z.enum(['calibration', 'check']),
    scenario: scenarioSchema,
    metric: metricSchema,
    published: publishedSchema,
    tolerance: toleranceSchema,
    /** The model is known not to meet the tolerance: reported as a known miss (not a failure) while it misses. */
    expected_miss: z.boolean().optional(),
    note: z.string().optional(),
  })
  .strict();
export type Target = Omit<z.infer<typeof targetSchema>, 'metric'> & { readonly metric: Metric };

export const validationFileSchema = z
  .object({
    model: z.string().min(1),
    description: z.string().optional(),
    references: z.record(z.string(), z.string().min(1)).default({}),
    targets: z.array(targetSchema).min(1, 'a validation file has at least one target'),
  })
  .strict();

export interface ValidationFile {
  /** File name (for messages and the report). */
  readonly source: string;
  readonly model: string;
  readonly description?: string;
  readonly references: Readonly<Record<string, string>>;
  readonly targets: readonly Target[];
}

/** Parse and check a validation file's YAML text. Errors name the file, the path and the line. */
export function parseValidationFile(text: string, source = 'validation'): ValidationFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err?.linePos?.[0];
    throw new ValidationError(`invalid YAML${pos !== undefined ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${err?.message.split('\n')[0] ?? ''}`, source);
  }
  const raw: unknown = doc.toJS();
  const parsed = validationFileSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error, (path) => lineOf(doc, lines, path), source);
  const file = parsed.data;
  const ids = new Set<string>();
  file.targets.forEach((t, i) => {
    const path = `targets[${i + 1}]`;
    if (ids.has(t.id)) throw new ValidationError(`target id ${t.id} is used twice`, source, `${path}.id`);
    ids.add(t.id);
    if (file.references[t.source] === undefined) {
      const keys = Object.keys(file.references);
      throw new ValidationError(`source ${t.source} is not in the file's references (${keys.length > 0 ? keys.join(', ') : 'none'})`, source, `${path}.source`);
    }
    if (t.use === 'calibration' && (t.note ?? '').trim() === '') {
      throw new ValidationError('a calibration target says in `note` which parameter the number was used to set', source, `${path}.note`);
    }
    checkTolerance(t.tolerance, t.published, source, `${path}.tolerance`);
    // Scenarios (regimens) are checked now, so that a bad file fails before anything runs.
    resolveScenario(t.scenario, source, `${path}.scenario`);
    if (t.metric.type === 'ratio') {
      for (const side of ['numerator', 'denominator'] as const) {
        const override = t.metric[side].scenario;
        if (override !== undefined) resolveScenario(mergeScenario(t.scenario, override), source, `${path}.metric.${side}.scenario`);
      }
    }
    if (t.metric.type === 'effect_size') {
      for (const arm of ['treatment', 'control'] as const) {
        const override = t.metric[arm].scenario;
        if (override !== undefined) resolveScenario(mergeScenario(t.scenario, override), source, `${path}.metric.${arm}.scenario`);
      }
      if (t.scenario.population === undefined) throw new ValidationError('effect_size needs a population scenario', source, `${path}.scenario.population`);
    }
  });
  return { source, model: file.model, description: file.description, references: file.references, targets: file.targets as Target[] };
}

function checkTolerance(tol: Tolerance, pub: Published, source: string, path: string): void {
  const need = { ci: pub.ci, sd: pub.sd, se: pub.se, gsd: pub.gsd };
  if (tol.within !== undefined && need[tol.within] === undefined) {
    throw new ValidationError(`within: ${tol.within} needs published.${tol.within}`, source, path);
  }
  if (tol.factor !== undefined && !(pub.value > 0)) throw new ValidationError('factor needs a positive published value', source, path);
  if (tol.relative !== undefined && pub.value === 0) throw new ValidationError('relative tolerance needs a non-zero published value', source, path);
}

function lineOf(doc: ReturnType<typeof parseDocument>, lines: LineCounter, path: readonly string[]): number | undefined {
  for (let k = path.length; k >= 0; k--) {
    const node: unknown = doc.getIn(path.slice(0, k), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function schemaError(error: ZodError, line: (path: readonly string[]) => number | undefined, source: string): ValidationError {
  const issue = error.issues[0];
  if (issue === undefined) return new ValidationError('invalid validation file', source);
  const rawPath = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  const at = line(rawPath.map(String));
  const path = fieldPath(issue.path);
  let detail = issue.message;
  if (issue.code === 'unrecognized_keys') detail = `unknown key(s) ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) detail = 'is required';
  if (issue.code === 'invalid_union') detail = unionDetail(issue) ?? detail;
  return new ValidationError(`${detail}${at !== undefined ? ` (line ${at})` : ''}`, source, path);
}

/** For a metric union: report the issue of the branch with the same `type` (not "invalid input"). */
function unionDetail(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const branches = issue.errors;
  let best: z.core.$ZodIssue[] | undefined;
  for (const branch of branches) {
    const typeMismatch = branch.some((i) => i.path.length === 1 && i.path[0] === 'type');
    if (!typeMismatch) {
      best = branch;
      break;
    }
  }
  const first = best?.[0];
  if (first === undefined) return undefined;
  const at = first.path.map(String).join('.');
  let detail = first.message;
  if (first.code === 'unrecognized_keys') detail = `unknown key(s) ${first.keys.join(', ')}`;
  if (first.code === 'invalid_type' && /received undefined/.test(first.message)) detail = 'is required';
  return at !== '' ? `${at}: ${detail}` : detail;
}
