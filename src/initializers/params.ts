/**
 * An entry's parameters as a reader sees them: name, type, default and the one-line description
 * written beside each in its catalogue module. `list NAME`, the serve form and
 * docs/reference/initializers.md all show these.
 */
import { choicesOf, jsonSchemaOf, typeText } from '../util/json-schema.js';
import type { InitializerEntry, Params } from './types.js';

export type { ParameterDoc } from './spec.js';
import type { ParameterDoc } from './spec.js';

/** The entry's parameters with their defaults, e.g. { mean: 0, stddev: 0.05 }. */
export function parameterDefaults(entry: InitializerEntry): Params {
  const parsed = entry.params.safeParse({});
  return parsed.success ? parsed.data : {};
}

/** Every parameter the entry declares, in declaration order. */
export function parameterDocs(entry: InitializerEntry): ParameterDoc[] {
  const defaults = parameterDefaults(entry);
  return Object.entries(jsonSchemaOf(entry.params).properties ?? {}).map(([name, json]) => {
    const choices = choicesOf(json);
    return {
      name,
      type: typeText(json),
      ...(defaults[name] !== undefined ? { default: defaults[name] } : {}),
      ...(choices ? { choices } : {}),
      description: json.description ?? '',
    };
  });
}
