/**
 * Every config key described for a reader or a form, derived from the schema (schema.ts): its
 * dotted path, its type in words, its default, its allowed values, whether it is a grid axis,
 * and its description. docs/reference/config.md and the serve form are built from this list, so
 * a new key appears in both by itself.
 */
import { choicesOf, jsonSchemaOf, typeText, type JsonSchema } from '../util/json-schema.js';
import { configSchema, defaults, keyMeta, keySchema } from './schema.js';

export interface ConfigField {
  /** Dotted path, e.g. `train.lr`. */
  key: string;
  /** In words: "number > 0, or a list" for an axis, "list of integer >= 1". */
  type: string;
  /** The schema's default; absent when the key is optional without one (its description says what then). */
  default?: unknown;
  /** The values one value may take, when they are few (an enum, a boolean). */
  choices?: unknown[];
  /** The value is a list (e.g. `model.hidden`, `seeds`); an axis's single value is not. */
  list: boolean;
  /** A grid axis: one value or a list of them, and a list makes a grid. */
  axis: boolean;
  /** The value names a file or a library: a request may give only `choices` (the words that are not paths), or nothing. */
  path?: boolean;
  description: string;
}

/** Every config key as a dotted path, in schema order (sections expanded into their keys). */
export function configKeys(): string[] {
  return Object.keys(configSchema.shape).flatMap((key) => {
    const json = jsonSchemaOf(keySchema(key)!);
    return json.type === 'object' && json.properties ? Object.keys(json.properties).map((k) => `${key}.${k}`) : [key];
  });
}

/** The default at a dotted path, as `init-bench run` with no flags uses it. */
function defaultAt(key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), defaults());
}

export function configFields(): ConfigField[] {
  return configKeys().map((key) => {
    const json = jsonSchemaOf(keySchema(key)!);
    const axis = keyMeta(key)?.gridAxis === true;
    // A grid axis is one value or a list of them: describe the one value.
    const one: JsonSchema = axis && json.anyOf ? json.anyOf[0] : json;
    const path = keyMeta(key)?.path;
    const choices = path?.words.length ? [...path.words] : choicesOf(one);
    const fallback = defaultAt(key);
    return {
      key,
      type: axis ? `${typeText(one)}, or a list${json.anyOf?.[1]?.maxItems !== undefined ? ` of at most ${json.anyOf[1].maxItems}` : ''}` : typeText(json),
      ...(fallback !== undefined ? { default: fallback } : {}),
      ...(choices ? { choices } : {}),
      list: one.type === 'array',
      axis,
      ...(path ? { path: true } : {}),
      description: keyMeta(key)?.description ?? '',
    };
  });
}
