/**
 * The one registry of initializers. `list`, config validation, aliases and the error text for
 * unknown names are all derived from CATALOGUE; adding an initializer is adding one entry.
 */
import './catalogue/scaled.js';
import './catalogue/structured.js';
import './catalogue/residual.js';
import './catalogue/pretrained.js';
import './catalogue/file.js';
import { definedEntries } from './catalogue/define.js';
import { tfjsEntries } from './catalogue/tfjs.js';
import type { InitializerEntry, LayerKind, Params } from './types.js';
import type { InitSpec, KernelSpec } from './spec.js';
import { parameterDefaults, parameterDocs } from './params.js';
import { describeIssue } from '../util/issues.js';
import { closest, show } from '../util/text.js';

const OURS = definedEntries();

function ourEntry(name: string): InitializerEntry {
  const entry = OURS.find((e) => e.name === name);
  if (!entry) throw new Error(`no entry named ${name}`);
  return entry;
}

/** Every initializer: ours, in definition order (catalogue/*.ts), then tfjs's mirrors. */
export const CATALOGUE: readonly InitializerEntry[] = [...OURS, ...tfjsEntries(ourEntry)];

// Exact names first; case-insensitive as a convenience, except where two names differ only in
// case ("zero" is an alias of zeros, "zerO" is ZerO): then the exact spelling decides.
const BY_NAME = new Map<string, InitializerEntry>();
const BY_LOWER = new Map<string, InitializerEntry>();
for (const entry of CATALOGUE) {
  for (const key of [entry.name, ...entry.aliases]) {
    if (BY_NAME.has(key)) throw new Error(`initializer name ${key} is registered twice`);
    BY_NAME.set(key, entry);
    if (!BY_LOWER.has(key.toLowerCase())) BY_LOWER.set(key.toLowerCase(), entry);
  }
}

/** The entry for a name or alias (exact, else case-insensitive). */
export function findInitializer(name: string): InitializerEntry | undefined {
  const key = name.trim();
  return BY_NAME.get(key) ?? BY_LOWER.get(key.toLowerCase());
}

/** Up to three known names closest to `name` (edit distance), for "did you mean". */
export function suggestNames(name: string): string[] {
  return closest(name, CATALOGUE.flatMap((e) => [e.name, ...e.aliases]));
}

export type { InitSpec, KernelSpec } from './spec.js';

/** What a config or flag may give: a name, or `{ name, label?, dense?, conv?, output?, residualOut?, bias?, ...params }`. */
export type InitInput = string | ({ name?: string; label?: string } & Params);

const KINDS: LayerKind[] = ['dense', 'conv', 'output', 'residualOut'];

/** Resolves one requested initializer, or returns the problems with it (for one report). */
export function resolveInit(input: InitInput, where: string): InitSpec | string[] {
  if (typeof input === 'string') {
    const kernel = resolveKernel(input, where);
    return Array.isArray(kernel) ? kernel : { ...kernel, label: defaultLabel(kernel) };
  }
  const { label, bias, dense, conv, output, residualOut, ...rest } = input;
  const problems: string[] = [];
  const take = (value: unknown, at: string): KernelSpec | undefined => {
    if (value === undefined) return undefined;
    const r = resolveKernel(value, at);
    if (Array.isArray(r)) problems.push(...r);
    else return r;
    return undefined;
  };
  const perKind: Partial<Record<LayerKind, KernelSpec>> = {};
  const given = { dense, conv, output, residualOut };
  for (const kind of KINDS) {
    const k = take(given[kind], `${where}.${kind}`);
    if (k) perKind[kind] = k;
  }
  const hasKinds = KINDS.some((kind) => given[kind] !== undefined);
  const main = rest.name !== undefined || !hasKinds ? take(rest, where) : undefined;
  const biasSpec = take(bias, `${where}.bias`);
  if (problems.length) return problems;
  const base = main ?? perKind.dense ?? perKind.conv ?? perKind.output ?? perKind.residualOut!;
  const spec: InitSpec = { ...base, label: '' };
  if (Object.keys(perKind).length) spec.layers = perKind;
  if (biasSpec) spec.bias = biasSpec;
  spec.label = typeof label === 'string' ? label : composedLabel(main, perKind, biasSpec);
  return spec;
}

function resolveKernel(value: unknown, where: string): KernelSpec | string[] {
  const { name, ...given } = typeof value === 'string' ? { name: value } : ((value ?? {}) as Params);
  if (typeof name !== 'string') return [`${where}: an initializer needs a \`name\``];
  if (name.trim() === '') return [`${where}: the initializer's name is empty (a stray comma in a list?)`];
  const entry = findInitializer(name);
  if (!entry) {
    const hint = suggestNames(name);
    const didYouMean = hint.length ? `; did you mean ${hint.join(', ')}?` : '';
    return [`${where}: unknown initializer ${show(name)}${didYouMean} (\`init-bench list\` shows them all)`];
  }
  const parsed = entry.params.safeParse(given);
  if (!parsed.success) {
    const known = parameterDocs(entry).map((d) => d.name);
    return parsed.error.issues.map((issue) =>
      describeIssue(issue, { root: given, prefix: `${where}: ${entry.name} parameter `, knownKeys: () => known }).replace(/parameter `\(top level\)` is an object; /, ''),
    );
  }
  return { name: entry.name, params: parsed.data };
}

/** The canonical name, with the parameters that differ from their defaults: randomNormal(stddev=1). */
function defaultLabel(kernel: KernelSpec): string {
  const entry = findInitializer(kernel.name)!;
  const base = parameterDefaults(entry);
  const changed = Object.entries(kernel.params).filter(([k, v]) => JSON.stringify(base[k]) !== JSON.stringify(v));
  return changed.length ? `${entry.name}(${changed.map(([k, v]) => `${k}=${v}`).join(',')})` : entry.name;
}

function composedLabel(main: KernelSpec | undefined, perKind: Partial<Record<LayerKind, KernelSpec>>, bias?: KernelSpec): string {
  const parts = main ? [defaultLabel(main)] : [];
  for (const kind of KINDS) if (perKind[kind]) parts.push(`${kind}=${defaultLabel(perKind[kind]!)}`);
  if (bias) parts.push(`bias=${defaultLabel(bias)}`);
  return parts.join(',');
}

/** The kernel initializer a layer of this kind gets under `spec`. */
export function kernelFor(spec: InitSpec, kind: LayerKind): KernelSpec {
  return spec.layers?.[kind] ?? spec;
}

export function entryOf(spec: KernelSpec): InitializerEntry {
  const entry = findInitializer(spec.name);
  if (!entry) throw new Error(`initializer ${spec.name} vanished from the registry`);
  return entry;
}


