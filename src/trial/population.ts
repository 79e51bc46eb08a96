/**
 * Virtual patients' covariates and dropout, each from the patient's own counter-based stream (seed, subject,
 * stream): the same patient whichever worker or shard simulates it.
 *
 * Covariates are drawn in a fixed order from the covariate stream; a truncated distribution draws again until
 * the value lies in [min, max]; inclusion criteria draw the whole set again until the patient qualifies
 * (rejection sampling: the included population is the population conditioned on the criteria).
 */

import { SubjectRandom } from '../core/random/philox.js';
import { STREAMS } from '../core/random/population.js';
import { TrialError, type Design, type Distribution } from './design.js';

/** Stream numbers of the trial's own uses of randomness (after the engine's STREAMS). */
export const TRIAL_STREAMS = { ...STREAMS, occasions: 5, readings: 6 } as const;

export interface DefaultCovariate {
  readonly name: string;
  readonly distribution: Distribution;
  readonly source: string;
}

/**
 * The default population: adults with treatment-resistant depression as in the esketamine population-PK data
 * (820 subjects of which 564 with TRD: median age 45 y (18–86), median weight 74 kg (39–170), 58.4 % women;
 * Perez-Ruixo 2021, /work/shared/literature/ketamine.md §1.5) and the MADRS entry level of the calibration trials
 * (the model's default 32). Spreads marked "assumed" are not published.
 */
export const DEFAULT_POPULATION: readonly DefaultCovariate[] = [
  { name: 'WT', distribution: { dist: 'lognormal', median: 74, sdlog: 0.2, min: 39, max: 170 }, source: 'Perez-Ruixo 2021: median 74 kg, range 39-170 (sdlog 0.2 assumed)' },
  { name: 'AGE', distribution: { dist: 'normal', mean: 45, sd: 12, min: 18, max: 86 }, source: 'Perez-Ruixo 2021: median 45 y, range 18-86 (SD 12 assumed)' },
  { name: 'SEX', distribution: { dist: 'categorical', values: [0, 1], p: [0.416, 0.584] }, source: 'Perez-Ruixo 2021: 58.4% women (SEX 1)' },
  {
    name: 'BASE_MADRS',
    distribution: { dist: 'normal', mean: 32, sd: 5, min: 20, max: 60 },
    source: 'model default 32 (TRD trial entry, as in the calibration); SD 5 and entry at >= 20 assumed',
  },
];

export interface PopulationCovariate {
  readonly name: string;
  readonly distribution: Distribution;
  readonly source: string;
}

/** The population of a design for a model with these covariates: defaults (those the model has) overridden by the design. */
export function populationCovariates(design: Design, modelCovariates: readonly string[], source = 'design'): PopulationCovariate[] {
  const known = new Set(modelCovariates);
  const out = new Map<string, PopulationCovariate>();
  if (design.population.defaults) for (const c of DEFAULT_POPULATION) if (known.has(c.name)) out.set(c.name, c);
  for (const [name, distribution] of Object.entries(design.population.covariates)) {
    // WT is allowed even when the model has no WT covariate: mg/kg doses need it.
    if (!known.has(name) && name !== 'WT') {
      throw new TrialError(`the model has no covariate ${name} (covariates: ${modelCovariates.join(', ')})`, `${source}: population.covariates.${name}`);
    }
    checkDistribution(distribution, `${source}: population.covariates.${name}`);
    out.set(name, { name, distribution, source: 'design' });
  }
  for (const [name, r] of Object.entries(design.inclusion)) {
    if (!out.has(name)) throw new TrialError(`inclusion on ${name}, which the population does not draw (population covariates: ${[...out.keys()].join(', ') || 'none'})`, `${source}: inclusion.${name}`);
    if (r.min !== undefined && r.max !== undefined && r.max < r.min) throw new TrialError('max is below min', `${source}: inclusion.${name}`);
  }
  return [...out.values()];
}

function checkDistribution(d: Distribution, field: string): void {
  if (typeof d === 'number' || d.dist === 'fixed' || d.dist === 'categorical') {
    if (typeof d !== 'number' && d.dist === 'categorical' && !(d.p.reduce((a, b) => a + b, 0) > 0)) throw new TrialError('the probabilities p must not all be 0', field);
    return;
  }
  if (d.min !== undefined && d.max !== undefined && d.max < d.min) throw new TrialError('max is below min', field);
}

const MAX_DRAWS = 100000;

function drawOne(d: Distribution, rng: SubjectRandom, name: string): number {
  if (typeof d === 'number') return d;
  switch (d.dist) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min + (d.max - d.min) * rng.uniform();
    case 'categorical': {
      const total = d.p.reduce((a, b) => a + b, 0);
      const u = rng.uniform() * total;
      let acc = 0;
      for (let k = 0; k < d.values.length; k++) {
        acc += d.p[k] as number;
        if (u < acc) return d.values[k] as number;
      }
      return d.values[d.values.length - 1] as number;
    }
    case 'normal':
    case 'lognormal': {
      for (let k = 0; k < MAX_DRAWS; k++) {
        const z = rng.normal();
        const x = d.dist === 'normal' ? d.mean + d.sd * z : d.median * Math.exp(d.sdlog * z);
        if ((d.min === undefined || x >= d.min) && (d.max === undefined || x <= d.max)) return x;
      }
      throw new TrialError(`no value within [${d.min ?? '-inf'}, ${d.max ?? 'inf'}] in ${MAX_DRAWS} draws: the truncation excludes nearly the whole distribution`, `population.covariates.${name}`);
    }
  }
}

/**
 * The covariates of subject `subject` (values in the order of `covariates`), drawn until the inclusion criteria
 * hold. Returns the number of draws too (1 = the first draw qualified).
 */
export function sampleCovariates(
  covariates: readonly PopulationCovariate[],
  inclusion: Design['inclusion'],
  seed: number,
  subject: number,
  out: Float64Array,
): number {
  const rng = new SubjectRandom(seed, subject, TRIAL_STREAMS.covariates);
  const checks = covariates.map((c) => inclusion[c.name]);
  for (let attempt = 1; attempt <= MAX_DRAWS; attempt++) {
    let ok = true;
    for (let k = 0; k < covariates.length; k++) {
      const c = covariates[k] as PopulationCovariate;
      const x = drawOne(c.distribution, rng, c.name);
      out[k] = x;
      const r = checks[k];
      if (r !== undefined && ((r.min !== undefined && x < r.min) || (r.max !== undefined && x > r.max))) ok = false;
    }
    if (ok) return attempt;
  }
  throw new TrialError(`no patient met the inclusion criteria in ${MAX_DRAWS} draws`, 'inclusion');
}

/**
 * Index of the last visit the subject attends (visits ascending; visit 0 = baseline, always attended), from the
 * dropout stream: a constant hazard gives an exponential dropout time; `per_visit` drops before each later visit
 * with that probability.
 */
export function lastVisit(dropout: Design['dropout'], visitTimesH: readonly number[], seed: number, subject: number): number {
  const last = visitTimesH.length - 1;
  if (dropout === undefined) return last;
  const rng = new SubjectRandom(seed, subject, TRIAL_STREAMS.dropout);
  if ('per_visit' in dropout) {
    for (let v = 1; v <= last; v++) if (rng.uniform() < dropout.per_visit) return v - 1;
    return last;
  }
  const hazard = 'hazard_per_day' in dropout ? dropout.hazard_per_day : -Math.log(1 - dropout.fraction) / dropout.by_day;
  if (!(hazard > 0)) return last;
  const dropH = (-Math.log(rng.uniform()) / hazard) * 24;
  let v = 0;
  while (v < last && (visitTimesH[v + 1] as number) <= dropH) v++;
  return v;
}
