/**
 * schema/config.schema.json and schema/results.schema.json, generated from the zod schemas that
 * define them (src/config/schema.ts, src/results/schema.ts). `npm run schemas` rewrites them; a
 * test fails when the committed files differ from what the schemas generate.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configSchema } from '../config/schema.js';
import { resultsSchema } from '../results/schema.js';

export const SCHEMA_FILES = {
  'config.schema.json': {
    schema: configSchema,
    io: 'input' as const,
    title: 'init-bench experiment config',
    description: 'A YAML or JSON config for `init-bench run --config`: any subset of the keys; the rest take their defaults.',
  },
  'results.schema.json': {
    schema: resultsSchema,
    io: 'input' as const,
    title: 'init-bench results document',
    description: 'What `init-bench run --json` prints and every results folder holds as results.json. schemaVersion changes when a field changes meaning or goes away; new optional fields may appear within a version.',
  },
};

/** The JSON text of one generated schema. */
export function schemaText(file: keyof typeof SCHEMA_FILES): string {
  const { schema, io, title, description } = SCHEMA_FILES[file];
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return `${JSON.stringify({ $schema: json.$schema, $id: `init-bench/${file}`, title, description, ...json }, null, 2)}\n`;
}

export function writeSchemas(dir: string): void {
  for (const file of Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[]) writeFileSync(join(dir, file), schemaText(file));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) writeSchemas(process.argv[2] ?? 'schema');
