/** Errors of validation files. */

import { KetasimError } from '../core/errors.js';

/** A validation file that cannot be read, or a target that cannot be run: says which file and where. */
export class ValidationError extends KetasimError {
  constructor(
    readonly detail: string,
    readonly source: string,
    readonly path = '',
  ) {
    super(`${source}: ${path !== '' ? `${path}: ` : ''}${detail}`);
  }
}
