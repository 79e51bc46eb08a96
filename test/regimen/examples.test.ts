/** The example regimens in examples/regimens/ run with the model their header names (default: the clinical model). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/core/simulate/simulate.js';
import { loadModelByName } from '../../src/node/library.js';
import { buildRegimen, parseRegimen } from '../../src/regimen/regimen.js';

const dir = new URL('../../examples/regimens/', import.meta.url).pathname;

describe('example regimens', () => {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    it(name, () => {
      const text = readFileSync(join(dir, name), 'utf8');
      const modelName = /-m ([a-z0-9-]+)/.exec(text)?.[1] ?? 'ketamine-depression';
      const model = loadModelByName(modelName);
      const regimen = buildRegimen(model, parseRegimen(parse(text) as unknown, name), { fineStepH: 0.25 });
      const result = simulate(model, regimen.dataset);
      const cp = result.outputNames.includes('CP') ? 'CP' : 'CP_ESK';
      const conc = result.values[result.outputNames.indexOf(cp)]!;
      const drugGiven = regimen.doses.some((d) => !['midazolam', 'saline'].includes(d.route));
      expect(Math.max(...conc) > 0).toBe(drugGiven);
      for (const column of result.values) expect(column.every(Number.isFinite)).toBe(true);
    });
  }
});
