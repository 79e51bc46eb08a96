/**
 * Steady-state doses (SS = 1, SS = 2) against their definition, over random doses: a dose record with SS = 1 at
 * time T puts the system where it would be after an infinite history of the same dose every II, the last one at
 * T (NONMEM: the compartments are reset first; lag time, bioavailability and modelled rate or duration apply to
 * every dose of the history). SS = 2 adds that steady state to what is already there. The "brute force" here is
 * the same dose given without SS, K·II earlier with ADDL = K, long enough for the history to converge (600 h
 * against a 12.6 h elimination half-life: e^(−0.055·600) ≈ 5e-15).
 *
 * Covers the combinations NONMEM's conformance suite exercises (bolus and infusions into depot or central;
 * given rate, given duration, modelled rate RATE = −1 and modelled duration RATE = −2; lag times shorter or
 * longer than II; infusions longer than II or equal to it; bioavailability; an EVID 4 or a prior dose before
 * the steady state), on the nmtests model in closed form and as ODEs.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/core/model/index.js';
import type { CompiledModel } from '../../src/core/model/compiled.js';
import { simulate } from '../../src/core/simulate/simulate.js';
import { datasetFromRows } from '../../src/io/nmdata/index.js';

const model = (file: string): CompiledModel => loadModel(readFileSync(new URL(`../../examples/nmtests/${file}`, import.meta.url), 'utf8'), file);
const CLOSED = model('advan2-nmtests.yaml');
const ODE = model('advan2-nmtests-ode.yaml');

/** History length that makes the brute force converge (see the header). */
const HISTORY_H = 600;

interface SsDose {
  amount: number;
  cmt: 1 | 2;
  ii: number;
  /** bolus; given rate; given duration (RATE = −2 with DUR); modelled rate (RATE = −1); modelled duration (RATE = −2). */
  kind: 'bolus' | 'rate' | 'duration' | 'modelled-rate' | 'modelled-duration';
  /** Infusion duration as a multiple of II (given or modelled; the rate follows from it). */
  durationPerIi: number;
  /** Lag time as a multiple of II (central compartment only, as the model defines it). */
  lagPerIi: number;
  bioav: number;
  /** What comes before the steady-state dose: nothing, a plain dose 5 h before (SS = 1 discards it, SS = 2 keeps it). */
  before: 'nothing' | 'dose';
  ss: 1 | 2;
}

const ssDose: fc.Arbitrary<SsDose> = fc
  .record({
  amount: fc.double({ min: 1, max: 200, noNaN: true }),
  cmt: fc.constantFrom(1 as const, 2 as const),
  ii: fc.constantFrom(1.5, 6, 12, 24),
  kind: fc.constantFrom('bolus' as const, 'rate' as const, 'duration' as const, 'modelled-rate' as const, 'modelled-duration' as const),
  // below II, equal to II (the infusions join up: a constant rate), longer than II (they overlap)
  durationPerIi: fc.constantFrom(0.1, 0.5, 1, 1.75, 3.2),
  lagPerIi: fc.constantFrom(0, 0, 0.25, 0.9, 1.3),
  bioav: fc.constantFrom(1, 0.6),
  before: fc.constantFrom('nothing' as const, 'dose' as const),
  ss: fc.constantFrom(1 as const, 2 as const),
  })
  // The model gives CENT's doses a modelled duration (0 unless MODE = 2): a DUR column is for the depot only.
  .map((d) => (d.kind === 'duration' ? { ...d, cmt: 1 as const } : d));

type Row = Record<string, number>;

/** The dose record, without TIME/SS/ADDL; the covariates the model reads for CENT's dose control on every record. */
function doseRecord(d: SsDose): { dose: Row; covariates: Row } {
  const duration = d.durationPerIi * d.ii;
  const covariates: Row = {
    LAGT: d.cmt === 2 ? d.lagPerIi * d.ii : 0,
    BIOAV: d.bioav,
    MODE: d.kind === 'modelled-rate' && d.cmt === 2 ? 1 : d.kind === 'modelled-duration' && d.cmt === 2 ? 2 : 0,
    RAT2: d.amount / duration,
    DUR2: duration,
  };
  let rate = 0;
  if (d.kind === 'rate') rate = d.amount / duration;
  if (d.kind === 'modelled-rate') rate = d.cmt === 2 ? -1 : d.amount / duration;
  if (d.kind === 'modelled-duration') rate = d.cmt === 2 ? -2 : d.amount / duration;
  const dose: Row = { EVID: 1, AMT: d.amount, CMT: d.cmt, II: d.ii, RATE: rate };
  if (d.kind === 'duration') {
    dose.RATE = -2;
    dose.DUR = duration;
  }
  return { dose, covariates };
}

/** Observation times after the steady-state dose at T: two intervals, 16 points each, plus the dose time. */
function observationTimes(T: number, ii: number): number[] {
  return Array.from({ length: 33 }, (_, k) => T + (k * ii) / 16);
}

/** CP at the observation records (EVID 0), in time order. */
function observedCp(m: CompiledModel, rows: Row[]): number[] {
  const sorted = rows.map((r, order) => ({ r, order })).sort((a, b) => (a.r.TIME as number) - (b.r.TIME as number) || a.order - b.order);
  const data = datasetFromRows(sorted.map(({ r }) => ({ ID: 1, DUR: 0, ...r })), 'steady-state property');
  const result = simulate(m, data);
  const subject = data.subjects[0];
  const cp = result.values[result.outputNames.indexOf('CP')] as Float64Array;
  const out: number[] = [];
  for (let i = 0; i < (subject?.n ?? 0); i++) if (subject?.evid[i] === 0) out.push(cp[i] as number);
  return out;
}

function ssAndBruteForce(m: CompiledModel, d: SsDose): { ss: number[]; bruteForce: number[] } {
  const { dose, covariates } = doseRecord(d);
  const K = Math.ceil(HISTORY_H / d.ii);
  const T = K * d.ii;
  const observations = observationTimes(T, d.ii).map((t) => ({ TIME: t, EVID: 0, AMT: 0, CMT: 2, ...covariates }));
  const prior = d.before === 'dose' ? [{ TIME: T - 5, EVID: 1, AMT: 50, CMT: 2, ...covariates }] : [];
  // Steady-state dose at T (records at T: the dose first, then the observation, as NONMEM orders a file).
  const ssRows: Row[] = [...prior, { TIME: T, SS: d.ss, ...dose, ...covariates }, ...observations];
  // The same dose from T − K·II to T; SS = 2 keeps the prior dose, SS = 1 discards it.
  const history: Row[] = [...(d.ss === 2 ? prior : []), { TIME: 0, ADDL: K, ...dose, ...covariates }, ...observations];
  return { ss: observedCp(m, ssRows), bruteForce: observedCp(m, history) };
}

function expectClose(actual: number[], expected: number[], rel: number): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  actual.forEach((a, i) => expect(Math.abs(a - (expected[i] as number)), `observation ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(rel * scale));
}

describe('steady state = an infinite history of the dose', () => {
  const cases: Array<[string, CompiledModel, number, number]> = [
    ['closed form', CLOSED, 1e-10, 300],
    ['ODE (iterated steady state, DOPRI5 at 1e-10)', ODE, 1e-6, 40],
  ];
  for (const [label, m, rel, numRuns] of cases) {
    it(`${label}: SS = 1 and SS = 2 match the brute-force history to ${rel} of the peak`, () => {
      fc.assert(
        fc.property(ssDose, (d) => {
          const { ss, bruteForce } = ssAndBruteForce(m, d);
          expectClose(ss, bruteForce, rel);
        }),
        { numRuns },
      );
    });
  }
});
