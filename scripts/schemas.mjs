#!/usr/bin/env node
// Regenerate docs/trial-summary.schema.json and docs/trial-design.schema.json from the zod schemas of the built
// package (test/trial/schema.test.ts checks that they are in step):  npm run build && node scripts/schemas.mjs
import { writeFileSync } from 'node:fs';
import { z } from 'zod';

const { summarySchema } = await import('../dist/trial/summary.js');
const { designSchema } = await import('../dist/trial/design.js');
const write = (file, schema) => writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
write('docs/trial-summary.schema.json', z.toJSONSchema(summarySchema));
write('docs/trial-design.schema.json', z.toJSONSchema(designSchema, { io: 'input', unrepresentable: 'any' }));
