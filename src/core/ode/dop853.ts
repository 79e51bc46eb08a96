/**
 * DOP853: the explicit Runge–Kutta 8(5,3) pair of Dormand & Prince (12 stages, FSAL: 12 RHS evaluations per
 * accepted step), with local extrapolation (the 8th-order solution is propagated), the combined 5th/3rd-order error
 * estimator of Hairer's DOP853 and a continuous extension of order 7 (3 extra stages, evaluated only for steps that
 * contain an output). For non-stiff problems at tight tolerances, where it needs far fewer steps than DOPRI5.
 * Hairer, Nørsett & Wanner, Solving ODEs I (2nd ed.), II.5 (DOP853) and II.6 (dense output); the algorithm follows
 * scipy.integrate.DOP853 (scipy/integrate/_ivp/rk.py): same error norm (`_estimate_error_norm`), same step-size
 * control (SAFETY 0.9, MIN_FACTOR 0.2, MAX_FACTOR 10, exponent −1/8, no growth right after a rejection), same
 * dense output (`Dop853DenseOutput`), steps clipped at tStop as scipy clips them at t_bound (and stretched to it
 * when the rest would be below the resolution of the time axis, where scipy would take a step of a few ulps).
 * Differences from scipy: f(t + h, y_new) (the FSAL stage, which the error estimate does not use) is evaluated
 * only for accepted steps (11 RHS calls per rejected attempt instead of 12), and non-finite RHS values are handled
 * as in Dopri5Integrator (the step is retried 10× smaller, and the failure names the state and the time).
 */
import type { OdeIntegrator, OdeOptions, OdeRhs } from './types.js';
import { EPS, firstNonFinite, nonFiniteRhsError, stepTooSmallError, stepUnderflow, tooManyStepsError } from './common.js';
import { ExplicitRungeKutta } from './explicit-rk.js';
import { SolverError } from '../errors.js';
import { float64 } from '../buffers.js';

// ---- coefficients ----
// Copied from scipy 1.17.1, scipy/integrate/_ivp/dop853_coefficients.py (arrays C, A, B, E3, E5, D; themselves
// from Hairer's Fortran DOP853), printed with Python's repr(float): each literal is the shortest decimal that
// round-trips to the same double as scipy's 30-digit literal. test/ode/dop853.test.ts checks them bit for bit
// against test/fixtures/ode/dop853_scipy.json and against the order conditions. Names are 1-based:
// A{i}_{j} = scipy A[i-1, j-1]; zero coefficients are omitted.
// nodes c_i
const C2 = 0.05260015195876773;
const C3 = 0.0789002279381516;
const C4 = 0.1183503419072274;
const C5 = 0.2816496580927726;
const C6 = 0.3333333333333333;
const C7 = 0.25;
const C8 = 0.3076923076923077;
const C9 = 0.6512820512820513;
const C10 = 0.6;
const C11 = 0.8571428571428571;
const C14 = 0.1;
const C15 = 0.2;
const C16 = 0.7777777777777778;
// stage coefficients a_ij (stages 2..12: the step; 13 = FSAL = b; 14..16: extra stages of the dense output)
const A2_1 = 0.05260015195876773;
const A3_1 = 0.0197250569845379;
const A3_2 = 0.0591751709536137;
const A4_1 = 0.02958758547680685;
const A4_3 = 0.08876275643042054;
const A5_1 = 0.2413651341592667;
const A5_3 = -0.8845494793282861;
const A5_4 = 0.924834003261792;
const A6_1 = 0.037037037037037035;
const A6_4 = 0.17082860872947386;
const A6_5 = 0.12546768756682242;
const A7_1 = 0.037109375;
const A7_4 = 0.17025221101954405;
const A7_5 = 0.06021653898045596;
const A7_6 = -0.017578125;
const A8_1 = 0.03709200011850479;
const A8_4 = 0.17038392571223998;
const A8_5 = 0.10726203044637328;
const A8_6 = -0.015319437748624402;
const A8_7 = 0.008273789163814023;
const A9_1 = 0.6241109587160757;
const A9_4 = -3.3608926294469414;
const A9_5 = -0.868219346841726;
const A9_6 = 27.59209969944671;
const A9_7 = 20.154067550477894;
const A9_8 = -43.48988418106996;
const A10_1 = 0.47766253643826434;
const A10_4 = -2.4881146199716677;
const A10_5 = -0.590290826836843;
const A10_6 = 21.230051448181193;
const A10_7 = 15.279233632882423;
const A10_8 = -33.28821096898486;
const A10_9 = -0.020331201708508627;
const A11_1 = -0.9371424300859873;
const A11_4 = 5.186372428844064;
const A11_5 = 1.0914373489967295;
const A11_6 = -8.149787010746927;
const A11_7 = -18.52006565999696;
const A11_8 = 22.739487099350505;
const A11_9 = 2.4936055526796523;
const A11_10 = -3.0467644718982196;
const A12_1 = 2.273310147516538;
const A12_4 = -10.53449546673725;
const A12_5 = -2.0008720582248625;
const A12_6 = -17.9589318631188;
const A12_7 = 27.94888452941996;
const A12_8 = -2.8589982771350235;
const A12_9 = -8.87285693353063;
const A12_10 = 12.360567175794303;
const A12_11 = 0.6433927460157636;
const A14_1 = 0.056167502283047954;
const A14_7 = 0.25350021021662483;
const A14_8 = -0.2462390374708025;
const A14_9 = -0.12419142326381637;
const A14_10 = 0.15329179827876568;
const A14_11 = 0.00820105229563469;
const A14_12 = 0.007567897660545699;
const A14_13 = -0.008298;
const A15_1 = 0.03183464816350214;
const A15_6 = 0.028300909672366776;
const A15_7 = 0.053541988307438566;
const A15_8 = -0.05492374857139099;
const A15_11 = -0.00010834732869724932;
const A15_12 = 0.0003825710908356584;
const A15_13 = -0.00034046500868740456;
const A15_14 = 0.1413124436746325;
const A16_1 = -0.42889630158379194;
const A16_6 = -4.697621415361164;
const A16_7 = 7.683421196062599;
const A16_8 = 4.06898981839711;
const A16_9 = 0.3567271874552811;
const A16_13 = -0.0013990241651590145;
const A16_14 = 2.9475147891527724;
const A16_15 = -9.15095847217987;
// 8th-order weights b_i (b_2..b_5 = 0)
const B1 = 0.054293734116568765;
const B6 = 4.450312892752409;
const B7 = 1.8915178993145003;
const B8 = -5.801203960010585;
const B9 = 0.3111643669578199;
const B10 = -0.1521609496625161;
const B11 = 0.20136540080403034;
const B12 = 0.04471061572777259;
// error weights E5 = b - b̂5 (5th order) and E3 = b - b̂3 (3rd order); the 13th (FSAL) entries are 0
const E5_1 = 0.01312004499419488;
const E5_6 = -1.2251564463762044;
const E5_7 = -0.4957589496572502;
const E5_8 = 1.6643771824549864;
const E5_9 = -0.35032884874997366;
const E5_10 = 0.3341791187130175;
const E5_11 = 0.08192320648511571;
const E5_12 = -0.022355307863886294;
const E3_1 = -0.18980075407240762;
const E3_6 = 4.450312892752409;
const E3_7 = 1.8915178993145003;
const E3_8 = -5.801203960010585;
const E3_9 = -0.4226823213237919;
const E3_10 = -0.1521609496625161;
const E3_11 = 0.20136540080403034;
const E3_12 = 0.02265179219836082;
// dense output: rows 4..7 of the interpolant (scipy D[0..3])
const D4_1 = -8.428938276109013;
const D4_6 = 0.5667149535193777;
const D4_7 = -3.0689499459498917;
const D4_8 = 2.38466765651207;
const D4_9 = 2.117034582445028;
const D4_10 = -0.871391583777973;
const D4_11 = 2.2404374302607883;
const D4_12 = 0.6315787787694688;
const D4_13 = -0.08899033645133331;
const D4_14 = 18.148505520854727;
const D4_15 = -9.194632392478356;
const D4_16 = -4.436036387594894;
const D5_1 = 10.427508642579134;
const D5_6 = 242.28349177525817;
const D5_7 = 165.20045171727028;
const D5_8 = -374.5467547226902;
const D5_9 = -22.113666853125306;
const D5_10 = 7.733432668472264;
const D5_11 = -30.674084731089398;
const D5_12 = -9.332130526430229;
const D5_13 = 15.697238121770845;
const D5_14 = -31.139403219565178;
const D5_15 = -9.35292435884448;
const D5_16 = 35.81684148639408;
const D6_1 = 19.985053242002433;
const D6_6 = -387.0373087493518;
const D6_7 = -189.17813819516758;
const D6_8 = 527.8081592054236;
const D6_9 = -11.57390253995963;
const D6_10 = 6.8812326946963;
const D6_11 = -1.0006050966910838;
const D6_12 = 0.7777137798053443;
const D6_13 = -2.778205752353508;
const D6_14 = -60.19669523126412;
const D6_15 = 84.32040550667716;
const D6_16 = 11.99229113618279;
const D7_1 = -25.69393346270375;
const D7_6 = -154.18974869023643;
const D7_7 = -231.5293791760455;
const D7_8 = 357.6391179106141;
const D7_9 = 93.40532418362432;
const D7_10 = -37.45832313645163;
const D7_11 = 104.0996495089623;
const D7_12 = 29.8402934266605;
const D7_13 = -43.53345659001114;
const D7_14 = 96.32455395918828;
const D7_15 = -39.17726167561544;
const D7_16 = -149.72683625798564;

/** The coefficients used by the integrator (0-based like scipy's arrays), exported so that tests can check them. */
export const DOP853_TABLEAU = {
  /** 16 nodes: stages 1–12 of the step, 13 = f(t + h, y_new) (FSAL), 14–16 the extra stages of the dense output. */
  c: [0, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, 1, 1, C14, C15, C16],
  /** a[i][j], j < i (row i has i entries). Row 12 (the FSAL stage) is b. */
  a: [
    [],
    [A2_1],
    [A3_1, A3_2],
    [A4_1, 0, A4_3],
    [A5_1, 0, A5_3, A5_4],
    [A6_1, 0, 0, A6_4, A6_5],
    [A7_1, 0, 0, A7_4, A7_5, A7_6],
    [A8_1, 0, 0, A8_4, A8_5, A8_6, A8_7],
    [A9_1, 0, 0, A9_4, A9_5, A9_6, A9_7, A9_8],
    [A10_1, 0, 0, A10_4, A10_5, A10_6, A10_7, A10_8, A10_9],
    [A11_1, 0, 0, A11_4, A11_5, A11_6, A11_7, A11_8, A11_9, A11_10],
    [A12_1, 0, 0, A12_4, A12_5, A12_6, A12_7, A12_8, A12_9, A12_10, A12_11],
    [B1, 0, 0, 0, 0, B6, B7, B8, B9, B10, B11, B12],
    [A14_1, 0, 0, 0, 0, 0, A14_7, A14_8, A14_9, A14_10, A14_11, A14_12, A14_13],
    [A15_1, 0, 0, 0, 0, A15_6, A15_7, A15_8, 0, 0, A15_11, A15_12, A15_13, A15_14],
    [A16_1, 0, 0, 0, 0, A16_6, A16_7, A16_8, A16_9, 0, 0, 0, A16_13, A16_14, A16_15],
  ],
  /** 8th-order weights on stages 1–12. */
  b: [B1, 0, 0, 0, 0, B6, B7, B8, B9, B10, B11, B12],
  /** b − b̂5 on stages 1–13 (b̂5: embedded 5th-order weights). */
  e5: [E5_1, 0, 0, 0, 0, E5_6, E5_7, E5_8, E5_9, E5_10, E5_11, E5_12, 0],
  /** b − b̂3 on stages 1–13 (b̂3: embedded 3rd-order weights). */
  e3: [E3_1, 0, 0, 0, 0, E3_6, E3_7, E3_8, E3_9, E3_10, E3_11, E3_12, 0],
  /** Rows 4–7 of the interpolant, on the 16 stages (scipy's D). */
  d: [
    [D4_1, 0, 0, 0, 0, D4_6, D4_7, D4_8, D4_9, D4_10, D4_11, D4_12, D4_13, D4_14, D4_15, D4_16],
    [D5_1, 0, 0, 0, 0, D5_6, D5_7, D5_8, D5_9, D5_10, D5_11, D5_12, D5_13, D5_14, D5_15, D5_16],
    [D6_1, 0, 0, 0, 0, D6_6, D6_7, D6_8, D6_9, D6_10, D6_11, D6_12, D6_13, D6_14, D6_15, D6_16],
    [D7_1, 0, 0, 0, 0, D7_6, D7_7, D7_8, D7_9, D7_10, D7_11, D7_12, D7_13, D7_14, D7_15, D7_16],
  ],
} as const;

// ---- step-size control (scipy's RungeKutta: SAFETY, MIN_FACTOR, MAX_FACTOR; error estimator of order 7) ----
const SAFETY = 0.9;
const MIN_FACTOR = 0.2;
const MAX_FACTOR = 10;
const ERROR_EXPONENT = -1 / 8;
/** Consecutive step rejections caused by non-finite RHS values before giving up. */
const MAX_NONFINITE_REJECTS = 10;

/** Throws when a stage derivative of the dense output is not finite (the interpolant would be). */
function checkFinite(k: Float64Array, n: number, t: number): void {
  const i = firstNonFinite(k, n);
  if (i >= 0) throw nonFiniteRhsError(t, i, k[i]!);
}

export class Dop853Integrator extends ExplicitRungeKutta implements OdeIntegrator {
  readonly method = 'dop853' as const;

  private readonly k3: Float64Array;
  private readonly k4: Float64Array;
  private readonly k5: Float64Array;
  private readonly k6: Float64Array;
  private readonly k7: Float64Array;
  private readonly k8: Float64Array;
  private readonly k9: Float64Array;
  private readonly k10: Float64Array;
  private readonly k11: Float64Array;
  private readonly k12: Float64Array;
  private k13: Float64Array;
  private readonly k14: Float64Array;
  private readonly k15: Float64Array;
  private readonly k16: Float64Array;
  /** Interpolant rows (scipy's F[0..6]). */
  private readonly r1: Float64Array;
  private readonly r2: Float64Array;
  private readonly r3: Float64Array;
  private readonly r4: Float64Array;
  private readonly r5: Float64Array;
  private readonly r6: Float64Array;
  private readonly r7: Float64Array;

  constructor(n: number, rhs: OdeRhs, options: OdeOptions) {
    super(n, rhs, options, 7);
    const mk = (): Float64Array => float64(n);
    this.k3 = mk();
    this.k4 = mk();
    this.k5 = mk();
    this.k6 = mk();
    this.k7 = mk();
    this.k8 = mk();
    this.k9 = mk();
    this.k10 = mk();
    this.k11 = mk();
    this.k12 = mk();
    this.k13 = mk();
    this.k14 = mk();
    this.k15 = mk();
    this.k16 = mk();
    this.r1 = mk();
    this.r2 = mk();
    this.r3 = mk();
    this.r4 = mk();
    this.r5 = mk();
    this.r6 = mk();
    this.r7 = mk();
  }

  /** One accepted step (after as many rejected attempts as needed), never beyond tEnd. */
  protected step(tEnd: number, tOut: number): void {
    const n = this.n;
    const rhs = this.rhs;
    const y = this.y;
    const y1 = this.y1;
    const ysti = this.ysti;
    if (this.fsalPending) {
      const tmp = this.k1;
      this.k1 = this.k13;
      this.k13 = tmp;
      this.fsalPending = false;
    }
    this.denseReady = false;
    const k1 = this.k1;
    const k2 = this.k2;
    const k3 = this.k3;
    const k4 = this.k4;
    const k5 = this.k5;
    const k6 = this.k6;
    const k7 = this.k7;
    const k8 = this.k8;
    const k9 = this.k9;
    const k10 = this.k10;
    const k11 = this.k11;
    const k12 = this.k12;
    const k13 = this.k13;
    const atol = this.atol;
    const rtol = this.rtol;
    const t = this.tCur;
    let h = this.h;
    let rejected = false;
    let nonFiniteRejects = 0;
    while (true) {
      if (++this.attempts > this.maxSteps) throw this.failure(tooManyStepsError(t, this.maxSteps, tOut));
      if (h > this.hmax) h = this.hmax;
      let tNew = t + h;
      if (tNew >= tEnd || tEnd - tNew < 32 * EPS * Math.abs(tNew)) {
        // clipped at the next discontinuity, as scipy clips at t_bound (and stretched to it when the rest would
        // be below the resolution of the time axis, which no step could cover)
        tNew = tEnd;
        h = tEnd - t;
      }
      if (stepUnderflow(h, t)) throw this.failure(stepTooSmallError(t, h, ''));
      // stages 2..12; `bad` turns NaN when a stage derivative is not finite (x*0 is NaN for ±Infinity and NaN)
      let bad = 0;
      for (let i = 0; i < n; i++) ysti[i] = y[i]! + h * A2_1 * k1[i]!;
      rhs(t + C2 * h, ysti, k2);
      for (let i = 0; i < n; i++) {
        const v = k2[i]!;
        bad += v * 0;
        ysti[i] = y[i]! + h * (A3_1 * k1[i]! + A3_2 * v);
      }
      rhs(t + C3 * h, ysti, k3);
      for (let i = 0; i < n; i++) {
        const v = k3[i]!;
        bad += v * 0;
        ysti[i] = y[i]! + h * (A4_1 * k1[i]! + A4_3 * v);
      }
      rhs(t + C4 * h, ysti, k4);
      for (let i = 0; i < n; i++) {
        const v = k4[i]!;
        bad += v * 0;
        ysti[i] = y[i]! + h * (A5_1 * k1[i]! + A5_3 * k3[i]! + A5_4 * v);
      }
      rhs(t + C5 * h, ysti, k5);
      for (let i = 0; i < n; i++) {
        const v = k5[i]!;
        bad += v * 0;
        ysti[i] = y[i]! + h * (A6_1 * k1[i]! + A6_4 * k4[i]! + A6_5 * v);
      }
      rhs(t + C6 * h, ysti, k6);
      for (let i = 0; i < n; i++) {
        const v = k6[i]!;
        bad += v * 0;
        ysti[i] = y[i]! + h * (A7_1 * k1[i]! + A7_4 * k4[i]! + A7_5 * k5[i]! + A7_6 * v);
      }
      rhs(t + C7 * h, ysti, k7);
      for (let i = 0; i < n; i++) {
        const v = k7[i]!;
        bad += v * 0;
        ysti[i] = y[i]! + h * (A8_1 * k1[i]! + A8_4 * k4[i]! + A8_5 * k5[i]! + A8_6 * k6[i]! + A8_7 * v);
      }
      rhs(t + C8 * h, ysti, k8);
      for (let i = 0; i < n; i++) {
        const v = k8[i]!;
        bad += v * 0;
        ysti[i] = y[i]! + h * (A9_1 * k1[i]! + A9_4 * k4[i]! + A9_5 * k5[i]! + A9_6 * k6[i]! + A9_7 * k7[i]! + A9_8 * v);
      }
      rhs(t + C9 * h, ysti, k9);
      for (let i = 0; i < n; i++) {
        const v = k9[i]!;
        bad += v * 0;
        ysti[i] =
          y[i]! + h * (A10_1 * k1[i]! + A10_4 * k4[i]! + A10_5 * k5[i]! + A10_6 * k6[i]! + A10_7 * k7[i]! + A10_8 * k8[i]! + A10_9 * v);
      }
      rhs(t + C10 * h, ysti, k10);
      for (let i = 0; i < n; i++) {
        const v = k10[i]!;
        bad += v * 0;
        ysti[i] =
          y[i]! +
          h * (A11_1 * k1[i]! + A11_4 * k4[i]! + A11_5 * k5[i]! + A11_6 * k6[i]! + A11_7 * k7[i]! + A11_8 * k8[i]! + A11_9 * k9[i]! + A11_10 * v);
      }
      rhs(t + C11 * h, ysti, k11);
      for (let i = 0; i < n; i++) {
        const v = k11[i]!;
        bad += v * 0;
        ysti[i] =
          y[i]! +
          h *
            (A12_1 * k1[i]! + A12_4 * k4[i]! + A12_5 * k5[i]! + A12_6 * k6[i]! + A12_7 * k7[i]! + A12_8 * k8[i]! + A12_9 * k9[i]! +
              A12_10 * k10[i]! + A12_11 * v);
      }
      rhs(tNew, ysti, k12);
      // new solution and scipy's error norm: with s5 = Σ (err5_i/sk_i)², s3 = Σ (err3_i/sk_i)²,
      // err = |h|·s5 / sqrt(n·(s5 + 0.01·s3)), sk_i = atol_i + rtol·max(|y_i|, |y1_i|)
      let s5 = 0;
      let s3 = 0;
      for (let i = 0; i < n; i++) {
        const v = k12[i]!;
        bad += v * 0;
        const q1 = k1[i]!;
        const q6 = k6[i]!;
        const q7 = k7[i]!;
        const q8 = k8[i]!;
        const q9 = k9[i]!;
        const q10 = k10[i]!;
        const q11 = k11[i]!;
        const yi = y[i]!;
        const yn = yi + h * (B1 * q1 + B6 * q6 + B7 * q7 + B8 * q8 + B9 * q9 + B10 * q10 + B11 * q11 + B12 * v);
        y1[i] = yn;
        const e5 = E5_1 * q1 + E5_6 * q6 + E5_7 * q7 + E5_8 * q8 + E5_9 * q9 + E5_10 * q10 + E5_11 * q11 + E5_12 * v;
        const e3 = E3_1 * q1 + E3_6 * q6 + E3_7 * q7 + E3_8 * q8 + E3_9 * q9 + E3_10 * q10 + E3_11 * q11 + E3_12 * v;
        const sk = atol[i]! + rtol * Math.max(Math.abs(yi), Math.abs(yn));
        const a5 = e5 / sk;
        const a3 = e3 / sk;
        s5 += a5 * a5;
        s3 += a3 * a3;
      }
      this.stats.rhsEvals += 11;
      const err = s5 === 0 && s3 === 0 ? 0 : (h * s5) / Math.sqrt((s5 + 0.01 * s3) * n);
      const fsal = bad === 0 && err < 1;
      if (fsal) {
        // the FSAL stage, needed by the next step and the dense output only
        rhs(tNew, y1, k13);
        this.stats.rhsEvals++;
        for (let i = 0; i < n; i++) bad += k13[i]! * 0;
      }
      if (bad !== 0 || !(err < Infinity)) {
        // a stage left the domain where the RHS is finite: retry with a much smaller step
        this.noteNonFinite(t, h, tNew, fsal);
        if (++nonFiniteRejects >= MAX_NONFINITE_REJECTS) {
          throw this.failure(new SolverError(`${MAX_NONFINITE_REJECTS} step size reductions in a row did not help`, undefined, t));
        }
        this.stats.rejected++;
        h *= 0.1;
        rejected = true;
        continue;
      }
      if (err < 1) {
        // accepted
        let factor = err === 0 ? MAX_FACTOR : Math.min(MAX_FACTOR, SAFETY * Math.pow(err, ERROR_EXPONENT));
        if (rejected) factor = Math.min(1, factor);
        this.stats.steps++;
        this.tOld = t;
        this.hLast = h;
        this.tCur = tNew;
        const tmp = this.yOld;
        this.yOld = y;
        this.y = y1;
        this.y1 = tmp;
        this.fsalPending = true;
        this.hasStep = true;
        this.h = Math.min(h * factor, this.hmax);
        return;
      }
      // rejected
      h *= Math.max(MIN_FACTOR, SAFETY * Math.pow(err, ERROR_EXPONENT));
      rejected = true;
      this.stats.rejected++;
    }
  }

  /** Records which stage/state was not finite in the last attempt (for the error message). */
  private noteNonFinite(t: number, h: number, tNew: number, withK13: boolean): void {
    // (k13 is evaluated only when the error test passed: otherwise it holds values of an earlier step)
    const ks = [this.k2, this.k3, this.k4, this.k5, this.k6, this.k7, this.k8, this.k9, this.k10, this.k11, this.k12];
    if (withK13) ks.push(this.k13);
    const ts = [C2, C3, C4, C5, C6, C7, C8, C9, C10, C11].map((c) => t + c * h);
    ts.push(tNew, tNew);
    for (let s = 0; s < ks.length; s++) {
      const i = firstNonFinite(ks[s]!, this.n);
      if (i >= 0) {
        this.nonFiniteT = ts[s]!;
        this.nonFiniteIndex = i;
        this.nonFiniteValue = ks[s]![i]!;
        return;
      }
    }
    // the stages were finite but the new state or the error estimate overflowed
    this.nonFiniteT = tNew;
    this.nonFiniteIndex = -1;
  }

  /** Dense output of order 7 on the last step: y(tOld + θ·h) for tOut in [tOld, t] (scipy's Dop853DenseOutput). */
  protected interpolate(tOut: number, yOut: Float64Array): void {
    const n = this.n;
    if (!this.denseReady) this.prepareDense();
    const theta = (tOut - this.tOld) / this.hLast;
    const theta1 = 1 - theta;
    const y0 = this.yOld;
    const r1 = this.r1;
    const r2 = this.r2;
    const r3 = this.r3;
    const r4 = this.r4;
    const r5 = this.r5;
    const r6 = this.r6;
    const r7 = this.r7;
    for (let i = 0; i < n; i++) {
      yOut[i] =
        y0[i]! + theta * (r1[i]! + theta1 * (r2[i]! + theta * (r3[i]! + theta1 * (r4[i]! + theta * (r5[i]! + theta1 * (r6[i]! + theta * r7[i]!))))));
    }
  }

  /** The three extra stages of the last step and the rows of the interpolant. */
  private prepareDense(): void {
    const n = this.n;
    const rhs = this.rhs;
    const h = this.hLast;
    const t0 = this.tOld;
    const y0 = this.yOld;
    const y1 = this.y;
    const ysti = this.ysti;
    const k1 = this.k1;
    const k6 = this.k6;
    const k7 = this.k7;
    const k8 = this.k8;
    const k9 = this.k9;
    const k10 = this.k10;
    const k11 = this.k11;
    const k12 = this.k12;
    const k13 = this.k13;
    const k14 = this.k14;
    const k15 = this.k15;
    const k16 = this.k16;
    for (let i = 0; i < n; i++) {
      ysti[i] =
        y0[i]! +
        h * (A14_1 * k1[i]! + A14_7 * k7[i]! + A14_8 * k8[i]! + A14_9 * k9[i]! + A14_10 * k10[i]! + A14_11 * k11[i]! + A14_12 * k12[i]! + A14_13 * k13[i]!);
    }
    rhs(t0 + C14 * h, ysti, k14);
    for (let i = 0; i < n; i++) {
      ysti[i] =
        y0[i]! +
        h * (A15_1 * k1[i]! + A15_6 * k6[i]! + A15_7 * k7[i]! + A15_8 * k8[i]! + A15_11 * k11[i]! + A15_12 * k12[i]! + A15_13 * k13[i]! + A15_14 * k14[i]!);
    }
    rhs(t0 + C15 * h, ysti, k15);
    for (let i = 0; i < n; i++) {
      ysti[i] =
        y0[i]! +
        h * (A16_1 * k1[i]! + A16_6 * k6[i]! + A16_7 * k7[i]! + A16_8 * k8[i]! + A16_9 * k9[i]! + A16_13 * k13[i]! + A16_14 * k14[i]! + A16_15 * k15[i]!);
    }
    rhs(t0 + C16 * h, ysti, k16);
    this.stats.rhsEvals += 3;
    checkFinite(k14, n, t0 + C14 * h);
    checkFinite(k15, n, t0 + C15 * h);
    checkFinite(k16, n, t0 + C16 * h);
    for (let i = 0; i < n; i++) {
      const q1 = k1[i]!;
      const q6 = k6[i]!;
      const q7 = k7[i]!;
      const q8 = k8[i]!;
      const q9 = k9[i]!;
      const q10 = k10[i]!;
      const q11 = k11[i]!;
      const q12 = k12[i]!;
      const q13 = k13[i]!;
      const q14 = k14[i]!;
      const q15 = k15[i]!;
      const q16 = k16[i]!;
      const dy = y1[i]! - y0[i]!;
      this.r1[i] = dy;
      this.r2[i] = h * q1 - dy;
      this.r3[i] = 2 * dy - h * (q13 + q1);
      this.r4[i] =
        h *
        (D4_1 * q1 + D4_6 * q6 + D4_7 * q7 + D4_8 * q8 + D4_9 * q9 + D4_10 * q10 + D4_11 * q11 + D4_12 * q12 + D4_13 * q13 + D4_14 * q14 + D4_15 * q15 + D4_16 * q16);
      this.r5[i] =
        h *
        (D5_1 * q1 + D5_6 * q6 + D5_7 * q7 + D5_8 * q8 + D5_9 * q9 + D5_10 * q10 + D5_11 * q11 + D5_12 * q12 + D5_13 * q13 + D5_14 * q14 + D5_15 * q15 + D5_16 * q16);
      this.r6[i] =
        h *
        (D6_1 * q1 + D6_6 * q6 + D6_7 * q7 + D6_8 * q8 + D6_9 * q9 + D6_10 * q10 + D6_11 * q11 + D6_12 * q12 + D6_13 * q13 + D6_14 * q14 + D6_15 * q15 + D6_16 * q16);
      this.r7[i] =
        h *
        (D7_1 * q1 + D7_6 * q6 + D7_7 * q7 + D7_8 * q8 + D7_9 * q9 + D7_10 * q10 + D7_11 * q11 + D7_12 * q12 + D7_13 * q13 + D7_14 * q14 + D7_15 * q15 + D7_16 * q16);
    }
    this.denseReady = true;
  }
}
