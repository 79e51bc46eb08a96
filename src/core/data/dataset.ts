/**
 * A NONMEM-style data set in columnar form: one `SubjectRecords` per individual, in file order.
 * Produced by the CSV reader (src/io) or built in code (bench, trials); consumed by the simulator.
 *
 * Conventions (NONMEM's):
 *  - EVID 0 observation, 1 dose, 2 other (e.g. covariate change), 3 reset, 4 reset and dose.
 *  - RATE 0 bolus; RATE > 0 zero-order infusion at that rate (amount/time); RATE -1 rate modelled; RATE -2 duration modelled.
 *  - DUR > 0 (optional column, ketasim extension) gives an infusion duration for RATE -2 doses when the model does not model it.
 *  - CMT is 1-based in the model's compartment order; 0 means "default" (dose: the model's default dose compartment;
 *    observation: not compartment specific).
 *  - SS 0 none, 1 reset to steady state then dose, 2 add steady state to the current state.
 *  - Every other numeric column is kept in `columns`, available to models as covariates or per-record parameters.
 */
export interface SubjectRecords {
  /** ID as written in the data set. */
  readonly id: string;
  /** Number of records. Every array below has this length. */
  readonly n: number;
  readonly time: Float64Array;
  readonly evid: Uint8Array;
  readonly amt: Float64Array;
  readonly rate: Float64Array;
  readonly dur: Float64Array;
  readonly cmt: Int32Array;
  readonly ii: Float64Array;
  readonly addl: Int32Array;
  readonly ss: Uint8Array;
  readonly mdv: Uint8Array;
  /** Other numeric columns (covariates, per-record parameters, DV...). Missing cells ('.' or empty) are NaN. */
  readonly columns: ReadonlyMap<string, Float64Array>;
  /** Source row (1-based line number in the file, header = line 1) of each record, for error messages; -1 if built in code. */
  readonly sourceRow: Int32Array;
}

/** A column that could not be read as numbers: models cannot use it, and an error names the first bad cell if they try. */
export interface TextColumn {
  readonly name: string;
  readonly firstRow: number;
  readonly firstValue: string;
}

export interface Dataset {
  /** File name or other label used in error messages. */
  readonly source: string;
  readonly subjects: readonly SubjectRecords[];
  /** Column names as in the header, in order. */
  readonly columnNames: readonly string[];
  readonly textColumns: readonly TextColumn[];
  /** Rows skipped because a comment column (C) flagged them, reported to the user. */
  readonly ignoredRows: number;
}
