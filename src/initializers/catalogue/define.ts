/**
 * Registration of catalogue entries: every entry is written once, as `define({...})` in its
 * catalogue module, and the registry (../registry.ts) takes them in definition order. Adding an
 * initializer is adding one `define` (and its tests); nothing else lists it.
 */
import type { InitializerEntry } from '../types.js';

const defined: InitializerEntry[] = [];

export function define(entry: InitializerEntry): InitializerEntry {
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
