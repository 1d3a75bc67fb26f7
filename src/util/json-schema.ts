/**
 * A JSON Schema (as zod's `z.toJSONSchema` renders one key or parameter) said in words, for the
 * help, `list NAME`, the serve form and the generated references: "integer >= 1",
 * "relu | tanh", "list of integer >= 1".
 */
import { z } from 'zod';

/** The part of a JSON Schema these texts read. */
export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  description?: string;
  default?: unknown;
}

/** zod's bound for "any safe integer", which says nothing to a reader. */
const HUGE = Number.MAX_SAFE_INTEGER;

/** What a value of `schema` may be, as the user writes it (the input side of transforms). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** "true" | "false" written as text beside a boolean (a flag's spelling of it): one boolean. */
function variants(json: JsonSchema): JsonSchema[] {
  const all = json.anyOf ?? [json];
  const hasBoolean = all.some((v) => v.type === 'boolean');
  return all.filter((v) => !(hasBoolean && v.type === 'string' && v.enum?.every((e) => e === 'true' || e === 'false')));
}

/** The schema's type in words. */
export function typeText(json: JsonSchema): string {
  if (json.anyOf) return [...new Set(variants(json).map(typeText))].join(' or ');
  if (json.const !== undefined) return String(json.const);
  if (json.enum) return json.enum.join(' | ');
  if (json.type === 'array') return `list of ${json.maxItems !== undefined ? `at most ${json.maxItems} ` : ''}${json.items ? typeText(json.items) : 'values'}`;
  if (json.type === 'string' && json.maxLength !== undefined) return `string of at most ${json.maxLength} characters`;
  if (json.type === 'object') return 'object';
  if (json.type === 'integer' || json.type === 'number') {
    const low = json.minimum !== undefined ? `>= ${json.minimum}` : json.exclusiveMinimum !== undefined ? `> ${json.exclusiveMinimum}` : undefined;
    const high = json.maximum !== undefined && json.maximum < HUGE ? `<= ${json.maximum}` : json.exclusiveMaximum !== undefined ? `< ${json.exclusiveMaximum}` : undefined;
    return [json.type, [low, high].filter(Boolean).join(', ')].filter(Boolean).join(' ');
  }
  return json.type ?? 'any';
}

/** The values a field may take when they are few (an enum, a boolean, or constants): a form's choices; undefined otherwise. */
export function choicesOf(json: JsonSchema): unknown[] | undefined {
  const out: unknown[] = [];
  for (const v of variants(json)) {
    if (v.enum) out.push(...v.enum);
    else if (v.const !== undefined) out.push(v.const);
    else if (v.type === 'boolean') out.push(false, true);
    else return undefined;
  }
  return out.length ? out : undefined;
}
