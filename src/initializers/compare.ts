/**
 * The trade-offs of the catalogue side by side (`init-bench list --compare`): per initializer what
 * it suits and how it fails (its lesson), what it costs, and the presets that show it. Every
 * column comes from the entry itself: nothing here restates a fact.
 */
import { CATALOGUE } from './registry.js';
import type { Evidence } from './types.js';

export interface CompareRow {
  name: string;
  suits: string;
  cost: string;
  /** The lesson's pitfalls: how it fails. */
  failure: string;
  dataDependent: boolean;
  shownBy: Evidence[];
}

/** Our entries, in catalogue order; the frameworks' mirrors (tfjs:, torch:) are left out. */
export function compareRows(): CompareRow[] {
  return CATALOGUE.filter((e) => !e.framework).map((e) => ({
    name: e.name,
    suits: e.lesson.suits,
    cost: e.tradeoffs.cost,
    failure: e.lesson.pitfalls,
    dataDependent: e.dataDependent !== undefined,
    shownBy: e.tradeoffs.shownBy,
  }));
}
