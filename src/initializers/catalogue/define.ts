/**
 * Registration of catalogue entries: every entry is written once, as `define({...})` in its
 * catalogue module, and the registry (../registry.ts) takes them in definition order. Adding an
 * initializer is adding one `define` (and its tests); nothing else lists it.
 */
import type { InitializerEntry, ParamsSchema } from '../types.js';

const defined: InitializerEntry[] = [];

/**
 * Registers an entry. `S` is inferred from `params`, so `sample`, `expectedStd`, `gain`, `fits`
 * and `dataDependent.run` receive the parsed parameters with their types: no casts.
 */
export function define<S extends ParamsSchema>(entry: InitializerEntry<S>): InitializerEntry<S> {
  defined.push(entry);
  return entry;
}

/** The entries defined so far, in definition order (import the catalogue modules first). */
export function definedEntries(): readonly InitializerEntry[] {
  return defined;
}

/** The costs most entries share (see Tradeoffs.cost). */
export const FILL = 'none: a constant fill';
export const DRAW = 'one random draw per weight';
