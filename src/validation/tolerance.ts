/**
 * Whether a prediction is close enough to a published value (the target's tolerance), and where it lies
 * relative to the published uncertainty (shown for every target, whatever its tolerance).
 */

import type { Published, Tolerance } from './schema.js';

export interface ErrorMeasure {
  /** predicted − published. */
  readonly absolute: number;
  /** (predicted − published) / |published|; NaN for a published 0. */
  readonly relative: number;
}

export function errorOf(predicted: number, published: number): ErrorMeasure {
  const absolute = predicted - published;
  return { absolute, relative: published === 0 ? Number.NaN : absolute / Math.abs(published) };
}

/** Default multiplier k of `within`: 1 SD, 1.96 SE (a 95 % interval), 1 GSD. */
export function defaultK(within: 'sd' | 'se' | 'gsd'): number {
  return within === 'se' ? 1.96 : 1;
}

/** The interval [lo, hi] a `within` criterion accepts. */
export function withinInterval(tol: Tolerance, pub: Published): [number, number] | undefined {
  if (tol.within === undefined) return undefined;
  const v = pub.value;
  switch (tol.within) {
    case 'ci':
      return pub.ci === undefined ? undefined : [pub.ci[0], pub.ci[1]];
    case 'sd':
    case 'se': {
      const s = tol.within === 'sd' ? pub.sd : pub.se;
      if (s === undefined) return undefined;
      const k = tol.k ?? defaultK(tol.within);
      return [v - k * s, v + k * s];
    }
    case 'gsd': {
      if (pub.gsd === undefined) return undefined;
      const f = pub.gsd ** (tol.k ?? 1);
      return [v / f, v * f];
    }
  }
}

/** True when at least one of the tolerance's criteria holds (NaN predictions never pass). */
export function withinTolerance(predicted: number, pub: Published, tol: Tolerance): boolean {
  if (!Number.isFinite(predicted)) return false;
  const diff = Math.abs(predicted - pub.value);
  const slack = 1e-12 * Math.max(1, Math.abs(pub.value));
  if (tol.relative !== undefined && diff <= tol.relative * Math.abs(pub.value) + slack) return true;
  if (tol.absolute !== undefined && diff <= tol.absolute + slack) return true;
  if (tol.factor !== undefined && predicted > 0 && predicted >= pub.value / tol.factor - slack && predicted <= pub.value * tol.factor + slack) return true;
  const interval = withinInterval(tol, pub);
  if (interval !== undefined && predicted >= interval[0] - slack && predicted <= interval[1] + slack) return true;
  return false;
}

/** The tolerance as text (`unit`: of an absolute tolerance): "±20%", "±5 ng/mL", "×/÷ 1.5", "in CI", "±2 SD", joined by " or ". */
export function toleranceText(tol: Tolerance, unit = ''): string {
  const parts: string[] = [];
  if (tol.relative !== undefined) parts.push(`±${round(tol.relative * 100)}%`);
  if (tol.absolute !== undefined) parts.push(`±${round(tol.absolute)}${unit !== '' && unit !== 'ratio' && unit !== 'fraction' ? ` ${unit}` : ''}`);
  if (tol.factor !== undefined) parts.push(`×/÷${round(tol.factor)}`);
  if (tol.within === 'ci') parts.push('in CI');
  else if (tol.within !== undefined) parts.push(`±${round(tol.k ?? defaultK(tol.within))} ${tol.within.toUpperCase()}`);
  return parts.join(' or ');
}

/**
 * Where the prediction lies relative to the published uncertainty, whatever the tolerance: "in CI" / "above CI"
 * / "below CI", else "+1.3 SD", "−0.4 SE", "+0.8 GSD"; '' when the source gives no uncertainty.
 */
export function uncertaintyPosition(predicted: number, pub: Published): string {
  if (!Number.isFinite(predicted)) return '';
  if (pub.ci !== undefined) return predicted < pub.ci[0] ? 'below CI' : predicted > pub.ci[1] ? 'above CI' : 'in CI';
  const z = (d: number, s: number, label: string): string => `${d >= 0 ? '+' : '−'}${Math.abs(d / s).toFixed(1)} ${label}`;
  if (pub.sd !== undefined && pub.sd > 0) return z(predicted - pub.value, pub.sd, 'SD');
  if (pub.se !== undefined && pub.se > 0) return z(predicted - pub.value, pub.se, 'SE');
  if (pub.gsd !== undefined && pub.gsd > 1 && predicted > 0 && pub.value > 0) return z(Math.log(predicted / pub.value), Math.log(pub.gsd), 'GSD');
  return '';
}

/** The published uncertainty as an interval for plots: CI, ±1 SD, ±1.96 SE or ×/÷ GSD. */
export function publishedInterval(pub: Published): { lower: number; upper: number; label: string } | undefined {
  if (pub.ci !== undefined) return { lower: pub.ci[0], upper: pub.ci[1], label: 'CI' };
  if (pub.sd !== undefined) return { lower: pub.value - pub.sd, upper: pub.value + pub.sd, label: '±1 SD' };
  if (pub.se !== undefined) return { lower: pub.value - 1.96 * pub.se, upper: pub.value + 1.96 * pub.se, label: '±1.96 SE' };
  if (pub.gsd !== undefined) return { lower: pub.value / pub.gsd, upper: pub.value * pub.gsd, label: '×/÷ GSD' };
  return undefined;
}

function round(x: number): string {
  return String(Number(x.toPrecision(3)));
}
