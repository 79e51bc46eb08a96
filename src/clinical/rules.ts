/**
 * Safety rules as data: what a clinician checks before and after a dose, each rule with the source it comes
 * from and that source's words. The rules file (YAML, see docs/regimens.md) is validated here; reading it from
 * disk is in src/node/safety-rules.ts. Pure (no I/O).
 *
 * Rule kinds:
 * - `pre_dose`: conditions on covariates (the patient's baseline blood pressure, age…), e.g. "BASE_SBP > 140".
 * - `flag`: a yes/no covariate (contraindication or co-medication) set to a non-zero value, e.g. ANEURYSM = 1.
 * - `output_threshold`: a predicted output above a threshold (absolute, or a rise above a baseline covariate),
 *   evaluated after every dose: peak, time of the peak, when it crossed and when it resolved.
 * - `output_at`: predicted outputs at a fixed time after the start of every dose (e.g. the label's 40-min BP check).
 * - `monitoring`: the predicted end of post-dose monitoring: at least a fixed time after the start of each dose and
 *   until the listed threshold rules have resolved.
 */

import { z } from 'zod';
import { KetasimError } from '../core/errors.js';
import { firstSchemaIssue } from '../core/schema-issue.js';

/** A problem in a rules file; `field` names where (e.g. `rules[3].output`). */
export class SafetyRulesError extends KetasimError {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a name starts with a letter and has only letters, digits and _');
const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a rule id has lower-case letters, digits and -');
export const severities = ['contraindication', 'warning', 'caution', 'info'] as const;
export type Severity = (typeof severities)[number];
/** A unit, or several spellings of it (compared without spaces, case-insensitively). */
const unit = z.union([z.string(), z.array(z.string()).min(1)]);

/** A comparison with exactly one of above (>), at_least (≥), below (<), at_most (≤). */
const comparison = {
  above: z.number().optional(),
  at_least: z.number().optional(),
  below: z.number().optional(),
  at_most: z.number().optional(),
};
function oneComparison(c: { above?: number; at_least?: number; below?: number; at_most?: number }): boolean {
  return [c.above, c.at_least, c.below, c.at_most].filter((v) => v !== undefined).length === 1;
}
const ONE_COMPARISON = { message: 'give exactly one of above, at_least, below, at_most' };

const condition = z
  .object({ covariate: name, unit: unit.optional(), ...comparison })
  .strict()
  .refine(oneComparison, ONE_COMPARISON);
export type Condition = z.output<typeof condition>;

const common = {
  id,
  /** Short name of the read-out, e.g. "Pre-dose blood pressure above 140/90 mmHg". */
  title: z.string().min(1),
  severity: z.enum(severities),
  /** Key into `sources`. */
  source: z.string().min(1),
  /** What the source says (quoted or closely paraphrased), shown with every read-out. */
  text: z.string().min(1),
  /** Authority of the source as the literature file grades it (primary, secondary…). */
  status: z.string().min(1),
  /** What to consider when the rule applies (shown when it is triggered). */
  advice: z.string().optional(),
  /** Our reading of the source, assumptions, caveats. */
  note: z.string().optional(),
  /** Rules with `enabled: false` are documented but not evaluated (e.g. low-authority clinic thresholds). */
  enabled: z.boolean().default(true),
};

const preDose = z
  .object({
    ...common,
    kind: z.literal('pre_dose'),
    /** Triggered when any of these holds (for the covariates the model has). */
    any: z.array(condition).min(1),
    /** The rule applies only when all of these hold (e.g. AGE < 65); all their covariates must exist. */
    only_if: z.array(condition).default([]),
  })
  .strict();

const flag = z
  .object({
    ...common,
    kind: z.literal('flag'),
    /** Triggered when any of these covariates (that the model has) is non-zero. */
    covariates: z.array(name).min(1),
  })
  .strict();

const outputThreshold = z
  .object({
    ...common,
    kind: z.literal('output_threshold'),
    output: name,
    unit: unit.optional(),
    /** With `relative_to`, the threshold is a rise above this covariate (e.g. BASE_SBP): value − baseline. */
    relative_to: name.optional(),
    above: z.number().optional(),
    at_least: z.number().optional(),
  })
  .strict()
  .refine((r) => (r.above === undefined) !== (r.at_least === undefined), { message: 'give exactly one of above, at_least' });

const outputAt = z
  .object({
    ...common,
    kind: z.literal('output_at'),
    outputs: z.array(name).min(1),
    /** Time after the start of each dose, e.g. "40 min". */
    after: z.string().min(1),
  })
  .strict();

const monitoring = z
  .object({
    ...common,
    kind: z.literal('monitoring'),
    /** Minimum monitoring after the start of each dose, e.g. "2 h". */
    at_least: z.string().min(1),
    /** Ids of output_threshold rules whose exceedance must have resolved before monitoring ends. */
    until_resolved: z.array(id).default([]),
  })
  .strict();

const rule = z.discriminatedUnion('kind', [preDose, flag, outputThreshold, outputAt, monitoring]);
export type SafetyRule = z.output<typeof rule>;
export type PreDoseRule = z.output<typeof preDose>;
export type FlagRule = z.output<typeof flag>;
export type OutputThresholdRule = z.output<typeof outputThreshold>;
export type OutputAtRule = z.output<typeof outputAt>;
export type MonitoringRule = z.output<typeof monitoring>;

export const safetyRulesSchema = z
  .object({
    ketasim: z.literal('safety-rules/1', { error: 'the first line must be `ketasim: safety-rules/1`' }),
    name: z.string().min(1),
    version: z.string().min(1),
    title: z.string().min(1),
    description: z.string().optional(),
    /** Source key → full citation (with URL). */
    sources: z.record(z.string(), z.string().min(1)),
    rules: z.array(rule).min(1),
  })
  .strict();
export type SafetyRules = z.output<typeof safetyRulesSchema>;

/** Validate a rules document (parsed YAML/JSON): schema, unique ids, known sources, monitoring references. */
export function parseSafetyRules(input: unknown, source = 'safety rules'): SafetyRules {
  const parsed = safetyRulesSchema.safeParse(input);
  if (!parsed.success) {
    const { path, detail } = firstSchemaIssue(parsed.error);
    throw new SafetyRulesError(detail, path === '' ? source : `${source}: ${path}`);
  }
  const rules = parsed.data;
  const ids = new Map<string, SafetyRule>();
  rules.rules.forEach((r, i) => {
    const field = `${source}: rules[${i + 1}]`;
    if (ids.has(r.id)) throw new SafetyRulesError(`rule id ${r.id} is used twice`, `${field}.id`);
    ids.set(r.id, r);
    if (rules.sources[r.source] === undefined) {
      throw new SafetyRulesError(`unknown source "${r.source}" (sources: ${Object.keys(rules.sources).join(', ')})`, `${field}.source`);
    }
  });
  rules.rules.forEach((r, i) => {
    if (r.kind !== 'monitoring') return;
    for (const ref of r.until_resolved) {
      const target = ids.get(ref);
      if (target?.kind !== 'output_threshold') {
        throw new SafetyRulesError(`"${ref}" is not the id of an output_threshold rule`, `${source}: rules[${i + 1}].until_resolved`);
      }
    }
  });
  return rules;
}

/** The comparison of a condition as [operator, value]. */
export function comparisonOf(c: { above?: number; at_least?: number; below?: number; at_most?: number }): ['>' | '≥' | '<' | '≤', number] {
  if (c.above !== undefined) return ['>', c.above];
  if (c.at_least !== undefined) return ['≥', c.at_least];
  if (c.below !== undefined) return ['<', c.below];
  return ['≤', c.at_most as number];
}

export function compare(value: number, op: '>' | '≥' | '<' | '≤', threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '≥':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '≤':
      return value <= threshold;
  }
}

/** Whether a model's unit matches a rule's unit (or one of its spellings); no unit in the rule matches any. */
export function unitMatches(ruleUnit: string | readonly string[] | undefined, modelUnit: string): boolean {
  if (ruleUnit === undefined) return true;
  const norm = (u: string): string => u.replace(/\s+/g, '').toLowerCase();
  const wanted = (typeof ruleUnit === 'string' ? [ruleUnit] : ruleUnit).map(norm);
  return wanted.includes(norm(modelUnit));
}
