/**
 * What the report's charts are drawn by: one colour per initializer on the whole page, fixed by
 * its position in the config (so a diverged initializer missing from one chart does not shift the
 * others' colours), and grid points in numeric order.
 */
import { describePoint, type PointValues } from '../results/point.js';
import type { ResultsDocument, TrialResult } from '../results/schema.js';

/**
 * Vega's tableau10 scheme, then ten darker tones of category20b/20c for longer lists; beyond 20
 * initializers colours repeat (a chart of more is unreadable anyway).
 */
export const PALETTE = [
  '#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac',
  '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1', '#636363',
];

/** The initializers' labels in config order, then any label only the trials know. */
export function initializerOrder(doc: ResultsDocument): string[] {
  const configured = ((doc.config.initializers ?? []) as { label?: string; name?: string }[]).map((i) => String(i.label ?? i.name));
  return [...new Set([...configured, ...doc.trials.map((t) => t.init)])];
}

/** Colour domain and range for Vega-Lite: every initializer, in config order. */
export function colourScale(doc: ResultsDocument): { domain: string[]; range: string[] } {
  const domain = initializerOrder(doc);
  return { domain, range: domain.map((_, i) => PALETTE[i % PALETTE.length]) };
}

/** Axes that do not change a model's initial state (weights and the forward pass at init). */
const TRAINING_ONLY_AXES = new Set(['optimizer', 'lr']);

/** A trial's grid point without the axes that only affect training: what the at-init charts vary over. */
export function initPoint(t: TrialResult): PointValues {
  return Object.fromEntries(Object.entries(t.point ?? {}).filter(([k]) => !TRAINING_ONLY_AXES.has(k))) as PointValues;
}

export interface PointRow {
  /** "depth 5, lr 0.01"; '' when there is no grid. */
  label: string;
  /** Position in numeric order. */
  order: number;
}

/** The distinct points, labelled and numbered in numeric order (axis by axis, numbers as numbers). */
export function orderPoints(points: PointValues[]): Map<string, PointRow> {
  const unique = [...new Map(points.map((p) => [JSON.stringify(p), p])).values()];
  unique.sort(comparePoints);
  return new Map(unique.map((p, order) => [JSON.stringify(p), { label: describePoint(p), order }]));
}

function comparePoints(a: PointValues, b: PointValues): number {
  for (const k of Object.keys(a)) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
}
