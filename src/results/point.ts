/**
 * A grid point as results name it: its value on each varied axis, e.g. { depth: 20, lr: 0.1 }
 * ({} or absent without a grid). One key and one description for every place that groups or
 * labels by point.
 */
import type { PointValues } from './schema.js';

export type { PointValues } from './schema.js';

/** A stable key for grouping rows and trials by grid point. */
export function pointKey(point: PointValues | undefined): string {
  return JSON.stringify(point ?? {});
}

/** "depth 20, lr 0.1"; '' without a grid. */
export function describePoint(point: PointValues | undefined): string {
  return Object.entries(point ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
}

/** "heNormal (depth 20, lr 0.1)", or the bare label without a grid. */
export function labelWithPoint(init: string, point: PointValues | undefined): string {
  const where = describePoint(point);
  return where ? `${init} (${where})` : init;
}
