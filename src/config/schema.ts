/**
 * The shape of an experiment config, as zod schemas, and the one template in which every problem
 * is reported: "`train.epochs` is -1; it must be a whole number >= 1".
 */
import { z } from 'zod';
import { ACTIVATIONS } from '../initializers/gain.js';
import { initInputSchema } from '../initializers/registry.js';

const whole = (min: number) => z.number().int().min(min);
/** A grid axis (see grid.ts): one value, or a list of them. */
const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]);

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

export const configSchema = z
  .object({
    name: z.string().min(1).regex(/^[\w.-]+$/, 'only letters, digits, ".", "_" and "-"'),
    initializers: z.array(initInputSchema).min(1),
    seeds: z.array(whole(0)).min(1),
    backend: z.enum(BACKENDS),
    data: z
      .object({
        dataset: z.enum(['mnist', 'fashion-mnist']),
        dataDir: z.string().min(1).optional(),
        trainSize: whole(1).optional(),
        testSize: whole(1).optional(),
      })
      .strict(),
    model: z
      .object({
        kind: z.enum(['mlp', 'cnn']),
        hidden: z.array(whole(1)).optional(),
        depth: oneOrMany(whole(1)).optional(),
        width: oneOrMany(whole(1)).optional(),
        activation: oneOrMany(z.enum(ACTIVATIONS)),
        leakySlope: z.number().min(0),
        filters: z.array(whole(1)).min(1),
        kernelSize: whole(1),
        pool: whole(1),
        padding: z.enum(['valid', 'same']),
        head: z.array(whole(1)),
        batchNorm: z.boolean(),
        dropout: z.number().min(0).lt(1),
      })
      .strict(),
    train: z
      .object({
        optimizer: oneOrMany(z.enum(OPTIMIZERS)),
        lr: oneOrMany(z.number().positive()),
        batchSize: whole(1),
        epochs: whole(1),
        target: z.number().min(0).max(1),
      })
      .strict(),
  })
  .strict();

export type RawConfig = z.infer<typeof configSchema>;

/** Keys that may hold one value or a list (grid axes, see grid.ts). */
const GRID_KEYS = ['model.activation', 'model.depth', 'model.width', 'train.optimizer', 'train.lr'];

/** One line per zod issue, naming the key, the value found and what is allowed. */
export function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const path = issue.path.map(String);
  const key = path.join('.');
  const value = path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), root);
  const found = `\`${key || '(top level)'}\` is ${show(value)}`;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `unknown key \`${[...path, k].join('.')}\``).join('; ');
    case 'invalid_type':
      return value === undefined ? `\`${key}\` is missing; it must be ${article(issue.expected)}` : `${found}; it must be ${article(issue.expected)}`;
    case 'too_small':
      if (issue.origin === 'array') return `${found}; it must list at least ${issue.minimum} value(s)`;
      if (issue.origin === 'string') return `${found}; it must not be empty`;
      return `${found}; it must be ${wholeness(value)}${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
    case 'too_big':
      return `${found}; it must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
    case 'invalid_value':
      return `${found}; it must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_union': {
      // A grid axis (one value or a list) or an initializer (name or object): explain the
      // branch the value looks like (a list: the list's; else the single value's).
      const first = (Array.isArray(value) && issue.errors[1]?.[0]) || issue.errors[0]?.[0];
      if (!first) return `${found}; ${issue.message}`;
      const single = describeIssue({ ...first, path: [...issue.path, ...first.path] } as z.core.$ZodIssue, root);
      return GRID_KEYS.includes(key) ? `${single} (or a list of such values)` : single;
    }
    default:
      return `${found}; ${issue.message}`;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value && typeof value === 'object') return 'an object';
  return String(value);
}

function article(type: string): string {
  return type === 'array' || type === 'object' || type === 'int' ? `an ${type === 'int' ? 'integer' : type}` : `a ${type}`;
}

function wholeness(value: unknown): string {
  return typeof value === 'number' && !Number.isInteger(value) ? 'a whole number ' : '';
}
