import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { root } from '../cli/helpers.js';
import { summarySchema } from '../../src/trial/summary.js';
import { designSchema } from '../../src/trial/design.js';

// Regenerate after a schema change: npm run build && node scripts/schemas.mjs
describe('published JSON Schemas', () => {
  it('docs/trial-summary.schema.json and docs/trial-design.schema.json are generated from the zod schemas', () => {
    const summary = JSON.parse(readFileSync(join(root, 'docs/trial-summary.schema.json'), 'utf8')) as unknown;
    const design = JSON.parse(readFileSync(join(root, 'docs/trial-design.schema.json'), 'utf8')) as unknown;
    expect(summary).toEqual(JSON.parse(JSON.stringify(z.toJSONSchema(summarySchema))));
    expect(design).toEqual(JSON.parse(JSON.stringify(z.toJSONSchema(designSchema, { io: 'input', unrepresentable: 'any' }))));
  });
});
