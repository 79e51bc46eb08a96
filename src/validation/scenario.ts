/**
 * Scenarios of validation targets: a regimen (src/regimen schema) plus parameter overrides, an optional virtual
 * population and observation-grid settings, all in one mapping:
 *
 *   scenario:
 *     weight_kg: 70
 *     doses: [{ route: iv, amount: 0.5 mg/kg, over: 40 min, days: [0] }]
 *     follow_up: 2 d
 *     parameters: { FSW_IN: 0 }
 *     population: { subjects: 500, seed: 1 }
 *     grid_step_h: 0.05
 */

import { z } from 'zod';
import { parseDoseAmount, parseDurationHours, parseNumberList } from '../regimen/quantity.js';
import { parseRegimen, type Regimen } from '../regimen/regimen.js';
import { ValidationError } from './errors.js';

/** Population: N virtual subjects with etas drawn from the model's random effects (seed: reproducible). */
export const populationSchema = z.object({ subjects: z.number().int().min(1).max(100000), seed: z.number().int().min(0) }).strict();

/**
 * Keys a scenario adds to a regimen (everything else in `scenario` is the regimen, src/regimen schema).
 * `grid_step_h` sets one observation step everywhere; the finer keys set the regimen grid's parts.
 */
export const scenarioExtraSchema = z
  .object({
    parameters: z.record(z.string(), z.number().refine(Number.isFinite, 'must be a finite number')).optional(),
    population: populationSchema.optional(),
    grid_step_h: z.number().positive().optional(),
    fine_step_h: z.number().positive().optional(),
    fine_window_h: z.number().min(0).optional(),
    coarse_step_h: z.number().positive().optional(),
  })
  .strict();
export const SCENARIO_EXTRA_KEYS = ['parameters', 'population', 'grid_step_h', 'fine_step_h', 'fine_window_h', 'coarse_step_h'] as const;

export interface ResolvedScenario {
  readonly regimen: Regimen;
  readonly parameters: Readonly<Record<string, number>>;
  readonly population?: { readonly subjects: number; readonly seed: number };
  readonly grid: {
    readonly grid_step_h?: number;
    readonly fine_step_h?: number;
    readonly fine_window_h?: number;
    readonly coarse_step_h?: number;
  };
}

const EXTRA = new Set<string>(SCENARIO_EXTRA_KEYS);

/** Split a scenario into its regimen and extra keys and validate both (errors name the file and the path). */
export function resolveScenario(raw: Readonly<Record<string, unknown>>, source: string, path: string): ResolvedScenario {
  const extra: Record<string, unknown> = {};
  const regimen: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) (EXTRA.has(k) ? extra : regimen)[k] = v;
  const parsed = scenarioExtraSchema.safeParse(extra);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(issue?.message ?? 'invalid scenario', source, `${path}.${issue?.path.map(String).join('.') ?? ''}`);
  }
  const { parameters, population, ...grid } = parsed.data;
  const where = `${source}: ${path}`;
  const parsedRegimen = parseRegimen(regimen, where);
  checkQuantities(parsedRegimen, where);
  return {
    regimen: parsedRegimen,
    parameters: parameters ?? {},
    ...(population !== undefined ? { population } : {}),
    grid,
  };
}

/** The regimen's amounts, durations and times, read now (buildRegimen reads them again with the model). */
function checkQuantities(regimen: Regimen, where: string): void {
  regimen.doses.forEach((d, i) => {
    const field = `${where}: doses[${i + 1}]`;
    parseDoseAmount(d.amount, `${field}.amount`);
    if (d.over !== undefined) parseDurationHours(d.over, `${field}.over`);
    if (d.at !== undefined) parseDurationHours(d.at, `${field}.at`);
    if (d.days !== undefined) parseNumberList(d.days, `${field}.days`);
    if (d.hours !== undefined) parseNumberList(d.hours, `${field}.hours`);
  });
  parseDurationHours(regimen.follow_up, `${where}: follow_up`);
}

/**
 * A scenario with an override (a ratio's numerator or denominator): the override's keys replace the base's,
 * except `parameters` and `covariates`, which are merged name by name.
 */
export function mergeScenario(base: Readonly<Record<string, unknown>>, override: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base, ...override };
  for (const key of ['parameters', 'covariates']) {
    if (isMap(base[key]) && isMap(override[key])) out[key] = { ...base[key], ...override[key] };
  }
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
