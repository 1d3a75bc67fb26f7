/**
 * The one template in which every config problem is reported: "`train.epochs` is -1; it must be
 * >= 1". Used for the experiment config and for initializer parameters alike.
 */
import type { z } from 'zod';
import { closest, show } from './text.js';

export interface IssueContext {
  /** The value the issue's path points into. */
  root: unknown;
  /** Shown before the issue's path, e.g. "initializers[0].orthogonal parameter " . */
  prefix?: string;
  /** Known keys at a path (for "did you mean" on unknown keys). */
  knownKeys?(path: string[]): readonly string[];
  /** Paths whose value may be one value or a list (grid axes). */
  isAxis?(key: string): boolean;
}

/** One line for one zod issue, naming the key, the value found and what is allowed. */
export function describeIssue(issue: z.core.$ZodIssue, ctx: IssueContext): string {
  const path = issue.path.map(String);
  const key = path.join('.');
  const shown = `${ctx.prefix ?? ''}\`${key || '(top level)'}\``;
  const value = path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), ctx.root);
  const found = `${shown} is ${show(value)}`;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys
        .map((k) => {
          const hint = ctx.knownKeys ? closest(k, ctx.knownKeys(path), 1) : [];
          return `unknown key ${ctx.prefix ?? ''}\`${[...path, k].join('.')}\`${hint.length ? `; did you mean \`${[...path, hint[0]].join('.')}\`?` : ''}`;
        })
        .join('; ');
    case 'invalid_type':
      return value === undefined ? `${shown} is missing; it must be ${article(issue.expected)}` : `${found}; it must be ${article(issue.expected)}`;
    case 'too_small':
      if (issue.origin === 'array') return `${found}; it must list at least ${issue.minimum} value(s)`;
      if (issue.origin === 'string') return `${found}; it must not be empty`;
      return `${found}; it must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `${shown} lists ${(value as unknown[]).length} values; it may list at most ${issue.maximum}`;
      if (issue.origin === 'string') return `${shown} has ${(value as string).length} characters; at most ${issue.maximum}`;
      return `${found}; it must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
    case 'invalid_value':
      return `${found}; it must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
    case 'custom':
      return `${found}; ${issue.message}`;
    case 'invalid_union': {
      // A grid axis: the single-value branch for a single value, the list's for a list.
      const branch = ctx.isAxis?.(key) ? issue.errors[Array.isArray(value) ? 1 : 0]?.[0] : pickBranch(issue.errors, value);
      if (!branch) return `${found}; ${issue.message}`;
      const single = describeIssue({ ...branch, path: [...issue.path, ...branch.path] } as z.core.$ZodIssue, ctx);
      return ctx.isAxis?.(key) && !Array.isArray(value) ? `${single} (or a list of such values)` : single;
    }
    default:
      return `${found}; ${issue.message}`;
  }
}

/**
 * Of a union's branches, the one the value was meant for: a list for a list, an object for an
 * object, else the branch whose complaint goes deepest into the value (so `label: 5` is about
 * the label, not "an object where a string was expected").
 */
function pickBranch(branches: z.core.$ZodIssue[][], value: unknown): z.core.$ZodIssue | undefined {
  const first = branches.map((b) => b[0]).filter((i): i is z.core.$ZodIssue => i !== undefined);
  const rootTypeMismatch = (i: z.core.$ZodIssue) => (i.code === 'invalid_type' || i.code === 'invalid_value') && i.path.length === 0;
  const meant = first.filter((i) => !rootTypeMismatch(i));
  if (meant.length === 1) return meant[0];
  if (Array.isArray(value)) return branches[1]?.[0] ?? first[0];
  return meant.sort((a, b) => b.path.length - a.path.length)[0] ?? describeAlternatives(first);
}

/** Every branch rejected the value's type: one issue that lists what would do. */
function describeAlternatives(first: z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  const expected = first.map((i) => (i.code === 'invalid_type' ? article(i.expected) : i.code === 'invalid_value' ? i.values.map((v) => JSON.stringify(v)).join(' or ') : undefined));
  if (expected.some((e) => e === undefined)) return first[0];
  return { code: 'custom', path: [], message: `it must be ${expected.join(' or ')}`, input: undefined } as unknown as z.core.$ZodIssue;
}

function article(type: string): string {
  if (type === 'int') return 'a whole number';
  if (type === 'array') return 'a list';
  return type === 'object' ? 'an object' : `a ${type}`;
}
