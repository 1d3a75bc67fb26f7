/**
 * Grids: a grid axis of the schema (schema.ts marks them: model.activation, model.depth,
 * model.width, train.optimizer, train.lr) may hold a list, and the experiment runs their product
 * (times initializers and seeds). e.g. `model: { depth: [5, 10, 20], width: 256 }` with
 * `train: { lr: [0.01, 0.1] }` is 6 grid points, enumerated in a stable order (axes in schema
 * order, first value first).
 */
import type { PointValues } from '../results/point.js';
import { DEFAULT_HIDDEN, DEFAULT_WIDTH, gridAxes, type ModelSettings, type ParsedConfig, type TrainSettings } from './schema.js';

/** One point of the grid: the settings of its trials, and its value on each varied axis. */
export interface GridPoint {
  /** Only the axes that vary, by their short name, e.g. { depth: 20, lr: 0.1 }; {} for a single point. */
  values: PointValues;
  model: ModelSettings;
  train: TrainSettings;
}

type Sections = Pick<ParsedConfig, 'model' | 'train'>;

const shortName = (path: string) => path.split('.')[1];
const valueAt = (c: Sections, path: string): unknown => {
  const [section, key] = path.split('.') as ['model' | 'train', string];
  return (c[section] as Record<string, unknown>)[key];
};
const listOf = (v: unknown): unknown[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** The short names of the axes that hold more than one value, in schema order. */
export function variedAxes(c: Sections): string[] {
  return gridAxes.filter((path) => (listOf(valueAt(c, path))?.length ?? 0) > 1).map(shortName);
}

/** The number of grid points, without expanding the grid: the product of the axes' lengths. */
export function gridPointCount(c: Sections): number {
  return gridAxes.reduce((n, path) => n * (listOf(valueAt(c, path))?.length ?? 1), 1);
}

export function expandGrid(c: Sections): GridPoint[] {
  const varied = new Set(variedAxes(c));
  let combos: Record<string, unknown>[] = [{}];
  for (const path of gridAxes) {
    const values = listOf(valueAt(c, path));
    if (values) combos = combos.flatMap((combo) => values.map((v) => ({ ...combo, [path]: v })));
  }
  return combos.map((combo) => {
    const pick = (section: 'model' | 'train') =>
      Object.fromEntries(Object.entries(combo).filter(([p]) => p.startsWith(`${section}.`)).map(([p, v]) => [shortName(p), v]));
    const { depth, width, hidden, ...model } = { ...c.model, ...pick('model') } as Record<string, unknown>;
    return {
      values: Object.fromEntries(Object.entries(combo).filter(([p]) => varied.has(shortName(p))).map(([p, v]) => [shortName(p), v])) as PointValues,
      model: { ...model, hidden: hiddenWidths(depth as number | undefined, width as number | undefined, hidden as number[] | undefined) } as ModelSettings,
      train: { ...c.train, ...pick('train') } as TrainSettings,
    };
  });
}

/** The MLP's hidden widths: `depth` layers of `width`, else `hidden`, else the default. */
function hiddenWidths(depth: number | undefined, width: number | undefined, hidden: number[] | undefined): number[] {
  if (depth !== undefined) return Array<number>(depth).fill(width ?? DEFAULT_WIDTH);
  return hidden ?? DEFAULT_HIDDEN;
}
