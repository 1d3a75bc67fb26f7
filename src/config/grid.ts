/**
 * Grids: a config may give a list where one value is expected for these axes, and the
 * experiment runs their product (times initializers and seeds):
 *
 *   model.activation, model.depth, model.width, train.optimizer, train.lr
 *
 * e.g. `model: { depth: [5, 10, 20], width: 256 }` with `train: { lr: [0.01, 0.1] }` is 6 grid
 * points. Points are enumerated in a stable order (axes in the order above, first value first).
 */
import type { Activation } from '../initializers/gain.js';
import type { ModelSettings } from '../model/network.js';
import type { OptimizerName } from '../train/optimizers.js';

export const AXES = ['activation', 'depth', 'width', 'optimizer', 'lr'] as const;
export type Axis = (typeof AXES)[number];
export type AxisValue = string | number;

export interface TrainSettings {
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  epochs: number;
  target: number;
}

/** One point of the grid: the settings of its trials, and its value on each varied axis. */
export interface GridPoint {
  /** Only the axes that vary, e.g. { depth: 20, lr: 0.1 }; {} for a single point. */
  values: Partial<Record<Axis, AxisValue>>;
  model: ModelSettings;
  train: TrainSettings;
}

/** The validated model/train sections, where grid axes may be lists. */
export interface GridInput {
  model: Omit<ModelSettings, 'activation' | 'hidden'> & {
    activation: Activation | Activation[];
    hidden?: number[];
    depth?: number | number[];
    width?: number | number[];
  };
  train: Omit<TrainSettings, 'optimizer' | 'lr'> & { optimizer: OptimizerName | OptimizerName[]; lr: number | number[] };
}

const list = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? [...new Set(v)] : [v]);

/** The axes that hold more than one value. */
export function variedAxes(input: GridInput): Axis[] {
  const lists = axisLists(input);
  return AXES.filter((a) => (lists[a]?.length ?? 0) > 1);
}

function axisLists(input: GridInput): Partial<Record<Axis, AxisValue[]>> {
  return {
    activation: list(input.model.activation),
    depth: list(input.model.depth),
    width: list(input.model.width),
    optimizer: list(input.train.optimizer),
    lr: list(input.train.lr),
  };
}

export function expandGrid(input: GridInput): GridPoint[] {
  const lists = axisLists(input);
  const varied = variedAxes(input);
  let combos: Partial<Record<Axis, AxisValue>>[] = [{}];
  for (const axis of AXES) {
    const values = lists[axis];
    if (!values) continue;
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v })));
  }
  const { depth: _d, width: _w, activation: _a, hidden, ...modelRest } = input.model;
  const { optimizer: _o, lr: _l, ...trainRest } = input.train;
  return combos.map((c) => ({
    values: Object.fromEntries(varied.map((a) => [a, c[a]!])) as GridPoint['values'],
    model: {
      ...modelRest,
      activation: c.activation as Activation,
      hidden: c.depth !== undefined ? Array<number>(c.depth as number).fill((c.width as number | undefined) ?? 256) : (hidden ?? []),
    },
    train: { ...trainRest, optimizer: c.optimizer as OptimizerName, lr: c.lr as number },
  }));
}

/** "depth 20, lr 0.1" */
export function describePoint(values: GridPoint['values']): string {
  return Object.entries(values).map(([k, v]) => `${k} ${v}`).join(', ');
}
