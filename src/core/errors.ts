/**
 * Error types shared by the whole engine. Every error says where (record, field, model path, subject/time)
 * and what was expected, so that a user can fix the input without reading engine code.
 */

export class KetasimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Where in a data set a problem was found. `row` is the 1-based line number in the source file (header = line 1). */
export interface DataLocation {
  readonly source?: string;
  readonly row?: number;
  readonly column?: string;
  readonly value?: string;
  readonly subject?: string;
}

/** Bad input data (a NONMEM-style data set, a patient record, a design file). */
export class DataError extends KetasimError {
  constructor(
    readonly detail: string,
    readonly location: DataLocation = {},
  ) {
    super(formatDataMessage(detail, location));
  }
}

function formatDataMessage(detail: string, loc: DataLocation): string {
  const where: string[] = [];
  if (loc.source !== undefined) where.push(loc.source);
  if (loc.row !== undefined) where.push(`row ${loc.row}`);
  if (loc.subject !== undefined) where.push(`ID ${loc.subject}`);
  if (loc.column !== undefined) where.push(`column ${loc.column}`);
  if (loc.value !== undefined) where.push(`value '${loc.value}'`);
  return where.length > 0 ? `${where.join(', ')}: ${detail}` : detail;
}

/** A model definition that cannot be compiled. `path` points into the model file, e.g. `parameters.CL.value`. */
export class ModelError extends KetasimError {
  constructor(
    readonly detail: string,
    readonly path: string = '',
    readonly source?: string,
  ) {
    super(`${source !== undefined ? `${source}: ` : ''}${path !== '' ? `${path}: ` : ''}${detail}`);
  }
}

/** A numerical failure during a simulation: names the subject and the model time. */
export class SolverError extends KetasimError {
  constructor(
    readonly detail: string,
    readonly subject: string | undefined,
    readonly time: number,
  ) {
    super(`${subject !== undefined ? `ID ${subject}, ` : ''}time ${time}: ${detail}`);
  }
}
