/**
 * A model ready to simulate: names resolved to slots, formulas compiled to JavaScript functions.
 * Produced by compileModel (compile.ts) from a ModelSpec; consumed by the simulator.
 *
 * Every formula reads an "environment" vector (Float64Array) laid out as
 *   [ parameters | covariates | random effects (etas) | individual variables | TIME ]
 * One environment is evaluated per parameter segment of a subject (records whose inputs are equal share it).
 */

import type { ModelSpec, ResidualSpec, SolverSpec } from './spec.js';

export interface EnvLayout {
  readonly size: number;
  readonly parameterOffset: number;
  readonly covariateOffset: number;
  readonly etaOffset: number;
  readonly individualOffset: number;
  /** Slot holding the record time (TIME) for individual equations and outputs. */
  readonly timeSlot: number;
  /** Slot holding the amount (AMT) of the dose being given, read as DOSE by dose-control formulas. */
  readonly doseSlot: number;
}

/** Slots of the doseControl output, per compartment: out[4*cmt + DOSE_*]. NaN = not modelled for that compartment. */
export const DOSE_F = 0;
export const DOSE_LAG = 1;
export const DOSE_RATE = 2;
export const DOSE_DURATION = 3;

/**
 * Layout of ClosedFormPart.rates output (the linear system's rate buffer, see linear/system.ts): the header,
 * then one absorption rate per depot from RATE_KA_FIRST.
 */
export const RATE_V1 = 0;
export const RATE_K10 = 1;
export const RATE_KCP1 = 2;
export const RATE_KPC1 = 3;
export const RATE_KCP2 = 4;
export const RATE_KPC2 = 5;
export const RATE_KE0 = 6;
export const RATE_KA_FIRST = 7;

export interface ClosedFormPart {
  /** Model compartment index (0-based) of each linear-system state in the order [depots…, central, peripherals…, effect?]. */
  readonly stateIndex: readonly number[];
  readonly nDepots: number;
  readonly nPeripherals: number;
  readonly hasEffect: boolean;
  /** Length of the rate buffer: RATE_KA_FIRST + nDepots. */
  readonly rateSlots: number;
  /** Micro-constants (RATE_* layout) from the environment. */
  readonly rates: (env: Float64Array, out: Float64Array) => void;
}

export interface OdePart {
  /** Model compartment indices (0-based) of the ODE states, in the order of the derivative vector. */
  readonly stateIndex: readonly number[];
  /**
   * Derivatives of the ODE states. `x` is the full state (all compartments, model order); closed-form
   * compartments hold their values at time t. Writes dxdt[k] for ODE state k.
   */
  readonly rhs: (t: number, x: Float64Array, dxdt: Float64Array, env: Float64Array) => void;
  /** Closed-form compartments (model indices) that the right-hand side reads: only these are evaluated per call. */
  readonly readsClosedForm: readonly number[];
  /**
   * The right-hand side as JavaScript statements, reading compartment c through stateRef(c), the environment as
   * `env[…]`, time as `t`, and writing derivative k to derivativeRef(k): for generated kernels.
   */
  readonly emitRhs: (stateRef: (compartment: number) => string, derivativeRef: (k: number) => string) => string;
}

export interface CompiledModel {
  readonly spec: ModelSpec;
  readonly name: string;
  /** Compartment names in CMT order (CMT = index + 1). */
  readonly compartments: readonly string[];
  /** 0-based index of the compartment that receives doses with CMT 0 or missing. */
  readonly defaultDoseCompartment: number;
  /** Compartments that can receive doses (not an effect compartment). */
  readonly dosable: readonly boolean[];
  readonly parameterNames: readonly string[];
  readonly covariateNames: readonly string[];
  readonly etaNames: readonly string[];
  readonly individualNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly outputUnits: readonly string[];
  readonly env: EnvLayout;
  /** Environment template: parameter values, covariate defaults (NaN where a covariate is required), etas 0. */
  readonly defaults: Float64Array;
  /** True when individual/dose/closed-form formulas read TIME: every record then starts a new parameter segment. */
  readonly individualUsesTime: boolean;
  /** Evaluates the individual block into the individual slots. */
  readonly computeIndividual: (env: Float64Array) => void;
  /** True if any compartment has a dose-control formula (F, lag, rate or duration). */
  readonly hasDoseControl: boolean;
  /** True if a dose-control formula reads DOSE: it is then evaluated for each dose, with env[doseSlot] = AMT. */
  readonly doseControlUsesDose: boolean;
  /** Fills 4 values per compartment (DOSE_* layout); NaN where not modelled (F then defaults to 1, lag to 0). */
  readonly doseControl: (env: Float64Array, out: Float64Array) => void;
  readonly closedForm: ClosedFormPart | undefined;
  readonly ode: OdePart | undefined;
  /** Initial state (all compartments, model order). Compartments without a formula start at 0. */
  readonly initial: (env: Float64Array, x: Float64Array) => void;
  /** Outputs from the state (all compartments, model order) at time t. */
  readonly outputs: (t: number, x: Float64Array, env: Float64Array, out: Float64Array) => void;
  /**
   * The same outputs written straight into result columns: cols[k][row] = output k. Returns 0, or NaN when an
   * output is not finite (the caller then reports which), so the hot loop needs no separate check.
   */
  readonly outputsToColumns: (t: number, x: Float64Array, env: Float64Array, cols: readonly Float64Array[], row: number) => number;
  /**
   * The output formulas as JavaScript statements `const o<k> = …;`, reading compartment c through stateRef(c),
   * environment slot s through envRef(s) (default `env[s]`) and time as `t`: for generated simulation kernels.
   */
  readonly emitOutputs: (stateRef: (compartment: number) => string, envRef?: (slot: number) => string) => string[];
  readonly solver: SolverSpec;
  /**
   * Route names (as in regimens: iv, im, oral…) to the 0-based indices of the compartments a dose by that route is
   * given into (one dose record each, same amount), from the model's `routes` block.
   */
  readonly routes: ReadonlyMap<string, readonly number[]>;
  /** Residual error of outputs, by output name (the model's `residual` block). */
  readonly residual: ReadonlyMap<string, ResidualSpec>;
}
