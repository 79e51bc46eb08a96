/**
 * Which data-set columns feed which model inputs. A column whose name equals a model covariate, parameter or
 * random effect is read at every record (time-varying, NONMEM's next-observation-carried-backward: the values on
 * a record govern the interval that ends at it). Covariates without a column use their default; a covariate
 * without default and without column is an error.
 */

import { DataError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import type { CompiledModel } from '../model/compiled.js';

export type InputKind = 'covariate' | 'parameter' | 'random effect';

export interface ColumnBinding {
  readonly column: string;
  readonly slot: number;
  readonly kind: InputKind;
}

/** Bind the model's inputs to the data set's columns; errors name what is missing and what is there. */
export function bindColumns(model: CompiledModel, dataset: Pick<Dataset, 'source' | 'columnNames' | 'textColumns'>): ColumnBinding[] {
  const available = new Set(dataset.columnNames);
  const text = new Map(dataset.textColumns.map((c) => [c.name, c]));
  const bindings: ColumnBinding[] = [];
  const { env } = model;
  const bind = (name: string, slot: number, kind: InputKind): boolean => {
    if (!available.has(name)) return false;
    const bad = text.get(name);
    if (bad !== undefined) {
      throw new DataError(`the model uses ${name} as a ${kind}, but the column is not numeric`, {
        source: dataset.source,
        row: bad.firstRow,
        column: name,
        value: bad.firstValue,
      });
    }
    bindings.push({ column: name, slot, kind });
    return true;
  };
  model.covariateNames.forEach((name, i) => {
    const slot = env.covariateOffset + i;
    if (bind(name, slot, 'covariate')) return;
    if (Number.isNaN(model.defaults[slot] as number)) {
      const similar = dataset.columnNames.filter((c) => c.toLowerCase() === name.toLowerCase());
      const hint = similar.length > 0 ? ` (column names are case-sensitive; the data set has ${similar.join(', ')})` : '';
      throw new DataError(
        `the model needs covariate ${name} (${model.spec.covariates[name]?.unit ?? ''}) and has no default; add a ${name} column${hint}. Columns: ${dataset.columnNames.join(', ')}`,
        { source: dataset.source, column: name },
      );
    }
  });
  model.parameterNames.forEach((name, i) => bind(name, env.parameterOffset + i, 'parameter'));
  model.etaNames.forEach((name, i) => bind(name, env.etaOffset + i, 'random effect'));
  return bindings;
}
