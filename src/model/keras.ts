/**
 * A network given as a Keras or tfjs topology, read into a validated intermediate (`FileModel`):
 * the layers in order, each with its input, the settings init-bench uses, and the initializers
 * the author chose. No tfjs here: file.ts turns the intermediate into the layer plan and the
 * forward pass.
 *
 * The files, as users have them:
 * - `model.json` as tensorflowjs_converter and tfjs's `model.save` write it: `{ format,
 *   modelTopology, weightsManifest }`, the topology inside `modelTopology` or, in older
 *   converters, in `modelTopology.model_config` (tfjs-layers `models.js` reads both);
 *   `weightsManifest` is ignored: the weights are what is being compared;
 * - a bare topology, as `model.toJSON()` (tfjs) or `model.to_json()` (Keras 2) writes it:
 *   `{ class_name, config, keras_version, backend }`;
 * - Sequential (`config.layers`, or in Keras 2.0-2.1 `config` itself a list of layers) and
 *   functional models (`Model`, or `Functional` from TF 2.4 on: layers with `inbound_nodes`,
 *   in Keras 2's nested lists `[[["dense_1", 0, 0, {}]]]` or Keras 3's
 *   `[{ args: [{ config: { keras_history: ["dense_1", 0, 0] } }] }]`).
 *
 * A model file is input: its size, nesting, number of layers, units and filters are bounded and
 * checked before anything is built.
 */
import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UserError, describeFsError } from '../errors.js';
import type { Activation } from '../vocabulary.js';

/** Limits on a model file: a file is input, and what it asks for must fit in memory. */
export const FILE_LIMITS = {
  /** Bytes of the file (a topology of 200 layers is well under 1 MB). */
  bytes: 4 * 1024 * 1024,
  /** Nesting of JSON objects and lists. */
  depth: 64,
  layers: 200,
  /** Units of a Dense layer, filters of a Conv2D layer. */
  units: 8192,
  filters: 2048,
  /** Side of a conv kernel or a pooling window. */
  window: 15,
  /** Weights in the whole network (40 MB as float32). */
  weights: 10_000_000,
  /** Values one layer outputs per example (a batch of 64 of them: 256 MB as float32). */
  values: 1_000_000,
} as const;

/** An initializer as the file names it, translated to the catalogue (`{ name, params }`), or why it cannot be. */
export type FileInit = { name: string; params: Record<string, unknown> } | { unsupported: string };

interface Base {
  name: string;
  /** The layer whose output this one reads (none for the input). */
  from: string;
}

/** One layer of the file, as init-bench runs it. */
export type FileNode =
  | { op: 'input'; name: string; from?: undefined; shape: number[] | null }
  | (Base & { op: 'dense'; units: number; activation: FileActivation; useBias: boolean; kernelInit: FileInit; biasInit: FileInit })
  | (Base & {
      op: 'conv';
      filters: number;
      kernel: [number, number];
      strides: [number, number];
      padding: 'valid' | 'same';
      activation: FileActivation;
      useBias: boolean;
      kernelInit: FileInit;
      biasInit: FileInit;
    })
  | (Base & { op: 'pool'; kind: 'max' | 'avg'; size: [number, number]; strides: [number, number]; padding: 'valid' | 'same' })
  | (Base & { op: 'globalAvgPool' })
  | (Base & { op: 'flatten' })
  | (Base & { op: 'reshape'; shape: number[] })
  | (Base & { op: 'dropout'; rate: number })
  | (Base & { op: 'batchNorm' })
  | (Base & { op: 'activation'; activation: FileActivation })
  | { op: 'add'; name: string; from: [string, string] };

/** A nonlinearity as the file may name it: softmax only at the output (the loss applies it). */
export type FileActivation = Activation | 'softmax';

export interface FileModel {
  /** The model's own name. */
  name: string;
  /** How the file was read, e.g. "tfjs model.json, Sequential". */
  format: string;
  /** Input side first; each layer's input comes before it. */
  nodes: FileNode[];
  /** The layer whose output is the model's. */
  output: string;
}

/** The layer classes init-bench runs, as Keras and tfjs name them. */
export const SUPPORTED_LAYERS = [
  'InputLayer',
  'Dense',
  'Conv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'Flatten',
  'Reshape',
  'Dropout',
  'BatchNormalization',
  'Activation',
  'ReLU',
  'Add',
] as const;

/** Keras class names spelt differently across versions, to the name above. */
const CLASS_ALIASES: Record<string, string> = {
  Convolution2D: 'Conv2D',
  MaxPool2D: 'MaxPooling2D',
  AvgPool2D: 'AveragePooling2D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
};

/** Keras activation names to init-bench's (`keras.activations`; tfjs-layers `activations.js`). */
const ACTIVATION_NAMES: Record<string, FileActivation> = {
  relu: 'relu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  elu: 'elu',
  selu: 'selu',
  linear: 'linear',
  softmax: 'softmax',
  leaky_relu: 'leakyRelu',
};

/** Reads, bounds and parses a model file; every problem is a UserError naming the file. */
export function readModelFile(path: string): { model: FileModel; sha256: string } {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new UserError(`model file ${path} is not a file`);
    size = stat.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read model file ${path}: ${describeFsError(err)}`);
  }
  if (size > FILE_LIMITS.bytes) throw new UserError(`model file ${path} has ${size} bytes; a topology file may have at most ${FILE_LIMITS.bytes} (is it a weights file?)`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read model file ${path}: ${describeFsError(err)}`);
  }
  try {
    return { model: parseModelText(text), sha256: sha256Of(text) };
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`model file ${path}: ${err.message}`);
    throw err;
  }
}

export function sha256Of(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Parses a model file's text (checked for size and nesting first). */
export function parseModelText(text: string): FileModel {
  if (text.length > FILE_LIMITS.bytes) throw new UserError(`the topology has ${text.length} characters; at most ${FILE_LIMITS.bytes}`);
  const depth = nestingDepth(text);
  if (depth > FILE_LIMITS.depth) throw new UserError(`the JSON nests ${depth} levels deep; a topology needs far fewer (at most ${FILE_LIMITS.depth})`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(`not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return parseTopology(value);
}

/** The deepest nesting of [ and { outside strings: checked before JSON.parse builds anything. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) max = Math.max(max, ++depth);
    else if (c === 93 || c === 125) depth--;
  }
  return max;
}

const layerSchema = z.looseObject({
  class_name: z.string(),
  name: z.string().optional(),
  config: z.looseObject({ name: z.string().optional() }).optional(),
  inbound_nodes: z.array(z.unknown()).optional(),
});
type RawLayer = z.output<typeof layerSchema>;

const topologySchema = z.looseObject({
  class_name: z.string(),
  config: z.union([z.array(z.unknown()), z.looseObject({ name: z.string().optional(), layers: z.array(z.unknown()).optional() })]),
});

/** A parsed JSON value (a model.json, or a bare topology) to the intermediate. */
export function parseTopology(value: unknown): FileModel {
  let format = 'Keras/tfjs topology';
  let topo = value;
  if (isObject(value) && 'modelTopology' in value) {
    format = 'tfjs model.json';
    topo = value.modelTopology;
    if (isObject(topo) && isObject(topo.model_config)) topo = topo.model_config;
  }
  const parsed = topologySchema.safeParse(topo);
  if (!parsed.success) throw new UserError('not a Keras or tfjs model topology: expected { "class_name": "Sequential" or "Model", "config": ... } (or a model.json with "modelTopology")');
  const { class_name: cls, config } = parsed.data;
  const rawLayers = Array.isArray(config) ? config : config.layers;
  const name = Array.isArray(config) ? 'sequential' : (config.name ?? cls.toLowerCase());
  if (!rawLayers) throw new UserError(`the ${cls} topology has no "layers"`);
  if (rawLayers.length > FILE_LIMITS.layers) throw new UserError(`the model has ${rawLayers.length} layers; at most ${FILE_LIMITS.layers}`);
  const layers = rawLayers.map((l, i) => {
    const r = layerSchema.safeParse(l);
    if (!r.success) throw new UserError(`layer ${i + 1} is not a layer ({ "class_name", "config" })`);
    return r.data;
  });
  if (cls === 'Sequential') return sequential(name, `${format}, Sequential`, layers);
  if (cls === 'Model' || cls === 'Functional') return functional(name, `${format}, functional (${cls})`, layers, config as Record<string, unknown>);
  throw new UserError(`the top-level class is ${cls}; init-bench reads Sequential and functional (Model, Functional) topologies`);
}

function layerName(l: RawLayer, i: number): string {
  const n = l.name ?? l.config?.name ?? `layer_${i + 1}`;
  if (!/^[\w./:-]{1,100}$/.test(n)) throw new UserError(`layer ${i + 1} is named ${JSON.stringify(n.slice(0, 40))}; a layer name is up to 100 letters, digits and _ . / : -`);
  return n;
}

function sequential(name: string, format: string, layers: RawLayer[]): FileModel {
  const nodes: FileNode[] = [];
  let from = 'input';
  let inputShape: number[] | null = null;
  layers.forEach((l, i) => {
    const shape = declaredInputShape(l.config ?? {});
    if (i === 0 || className(l) === 'InputLayer') inputShape ??= shape;
    if (className(l) === 'InputLayer') return;
    const node = toNode(l, layerName(l, i), [from]);
    nodes.push(node);
    from = node.name;
  });
  if (!nodes.length) throw new UserError('the Sequential model has no layers');
  const input: FileNode = { op: 'input', name: 'input', shape: inputShape };
  if (nodes.some((n) => n.name === 'input')) input.name = 'input_0';
  if (input.name !== 'input') (nodes[0] as Base).from = input.name;
  return finish({ name, format, nodes: [input, ...nodes], output: from === 'input' ? input.name : from });
}

function functional(name: string, format: string, layers: RawLayer[], config: Record<string, unknown>): FileModel {
  const inputs = endpoints(config.input_layers, 'input_layers');
  const outputs = endpoints(config.output_layers, 'output_layers');
  if (inputs.length !== 1) throw new UserError(`the model has ${inputs.length} inputs; init-bench feeds one image input`);
  if (outputs.length !== 1) throw new UserError(`the model has ${outputs.length} outputs; init-bench trains one classification output`);
  const byName = new Map<string, FileNode>();
  const pending = layers.map((l, i) => ({ l, name: layerName(l, i), from: inboundNames(l, layerName(l, i)) }));
  // Keras writes layers in an order where each one's inputs come first; checked, not assumed.
  for (const { l, name: n, from } of pending) {
    if (byName.has(n)) throw new UserError(`two layers are named ${n}`);
    for (const f of from) if (!byName.has(f)) throw new UserError(`layer ${n} reads ${f}, which is not an earlier layer of the model`);
    if (className(l) === 'InputLayer') {
      byName.set(n, { op: 'input', name: n, shape: declaredInputShape(l.config ?? {}) });
      continue;
    }
    byName.set(n, toNode(l, n, from));
  }
  const nodes = [...byName.values()];
  const extraInputs = nodes.filter((n) => n.op === 'input' && n.name !== inputs[0]);
  if (extraInputs.length) throw new UserError(`input layer ${extraInputs[0].name} is not the model's input ${inputs[0]}`);
  if (!byName.has(outputs[0])) throw new UserError(`the output ${outputs[0]} is not a layer of the model`);
  return finish({ name, format, nodes, output: outputs[0] });
}

/** Checks what holds for every format: one input first, unique names, the output reached. */
function finish(model: FileModel): FileModel {
  const names = new Set<string>();
  for (const n of model.nodes) {
    if (names.has(n.name)) throw new UserError(`two layers are named ${n.name}`);
    names.add(n.name);
  }
  if (model.nodes[0]?.op !== 'input') throw new UserError('the model has no input layer');
  return model;
}

/** `[["input_1", 0, 0]]` (Keras 2), `["input_1", 0, 0]` (Keras 3, one endpoint): the layer names. */
function endpoints(value: unknown, key: string): string[] {
  if (!Array.isArray(value)) throw new UserError(`a functional model needs "${key}"`);
  if (typeof value[0] === 'string') return [value[0]];
  return value.map((v) => {
    if (!Array.isArray(v) || typeof v[0] !== 'string') throw new UserError(`"${key}" holds ${JSON.stringify(v).slice(0, 60)}; expected ["layer_name", 0, 0]`);
    return v[0];
  });
}

/** The names of the layers a functional layer reads, from its one call (node). */
function inboundNames(l: RawLayer, name: string): string[] {
  const nodes = l.inbound_nodes ?? [];
  if (nodes.length === 0) return [];
  if (nodes.length > 1) throw new UserError(`layer ${name} is called ${nodes.length} times (shared weights); init-bench runs each layer once`);
  const node = nodes[0];
  const names: string[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (depth > 6) return;
    if (Array.isArray(v)) {
      if (typeof v[0] === 'string' && typeof v[1] === 'number') names.push(v[0]);
      else for (const x of v) visit(x, depth + 1);
    } else if (isObject(v)) {
      // Keras 3: { args: [{ class_name: "__keras_tensor__", config: { keras_history: [name, 0, 0] } }], kwargs }
      const history = isObject(v.config) ? v.config.keras_history : undefined;
      if (Array.isArray(history) && typeof history[0] === 'string') names.push(history[0]);
      else if (Array.isArray(v.args)) visit(v.args, depth + 1);
    }
  };
  visit(node, 0);
  if (names.length === 0) throw new UserError(`layer ${name}: cannot read which layers it is applied to (inbound_nodes)`);
  return names;
}

function className(l: RawLayer): string {
  return CLASS_ALIASES[l.class_name] ?? l.class_name;
}

/** batch_input_shape (Keras 2, tfjs), batch_shape (Keras 3) or input_shape, without the batch axis. */
function declaredInputShape(config: Record<string, unknown>): number[] | null {
  let shape = config.batch_input_shape ?? config.batch_shape ?? config.batchInputShape;
  // Some TF 2 files write it as { class_name: "TensorShape", items: [...] }.
  if (isObject(shape) && Array.isArray(shape.items)) shape = shape.items;
  if (Array.isArray(shape)) shape = shape.slice(1);
  else shape = config.input_shape ?? config.inputShape;
  if (!Array.isArray(shape)) return null;
  if (shape.length < 1 || shape.length > 3 || !shape.every((d) => Number.isInteger(d) && d >= 1 && d <= 100_000)) {
    throw new UserError(`the input shape ${JSON.stringify(shape)} is not one init-bench can feed (1 to 3 positive sizes, e.g. [784] or [28, 28, 1])`);
  }
  return shape as number[];
}

/** One Keras layer to a node, or a UserError naming it, its class and what is supported. */
function toNode(l: RawLayer, name: string, from: string[]): FileNode {
  const cls = className(l);
  const c = (l.config ?? {}) as Record<string, unknown>;
  const where = `layer ${name} (${l.class_name})`;
  const single = () => {
    if (from.length !== 1) throw new UserError(`${where} reads ${from.length} inputs; it takes one`);
    return from[0];
  };
  const f = (): string => single();
  switch (cls) {
    case 'Dense': {
      const units = bounded(c.units, 1, FILE_LIMITS.units, `${where}: units`);
      return { op: 'dense', name, from: f(), units, activation: activationOf(c.activation, where), useBias: c.use_bias !== false, kernelInit: initOf(c.kernel_initializer, 'GlorotUniform'), biasInit: initOf(c.bias_initializer, 'Zeros') };
    }
    case 'Conv2D': {
      channelsLast(c, where);
      if (!isOnes(c.dilation_rate)) throw new UserError(`${where}: dilation_rate ${JSON.stringify(c.dilation_rate)}; init-bench runs undilated convolutions`);
      if (c.groups !== undefined && c.groups !== 1) throw new UserError(`${where}: groups ${JSON.stringify(c.groups)}; init-bench runs ungrouped convolutions`);
      return {
        op: 'conv',
        name,
        from: f(),
        filters: bounded(c.filters, 1, FILE_LIMITS.filters, `${where}: filters`),
        kernel: pair(c.kernel_size, `${where}: kernel_size`),
        strides: pair(c.strides ?? 1, `${where}: strides`),
        padding: paddingOf(c.padding, where),
        activation: activationOf(c.activation, where),
        useBias: c.use_bias !== false,
        kernelInit: initOf(c.kernel_initializer, 'GlorotUniform'),
        biasInit: initOf(c.bias_initializer, 'Zeros'),
      };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      channelsLast(c, where);
      const size = pair(c.pool_size ?? 2, `${where}: pool_size`);
      return { op: 'pool', name, from: f(), kind: cls === 'MaxPooling2D' ? 'max' : 'avg', size, strides: c.strides == null ? size : pair(c.strides, `${where}: strides`), padding: paddingOf(c.padding, where) };
    }
    case 'GlobalAveragePooling2D':
      channelsLast(c, where);
      if (c.keepdims === true) throw new UserError(`${where}: keepdims true; init-bench pools to one value per channel (keepdims false)`);
      return { op: 'globalAvgPool', name, from: f() };
    case 'Flatten':
      return { op: 'flatten', name, from: f() };
    case 'Reshape': {
      const shape = c.target_shape ?? c.targetShape;
      if (!Array.isArray(shape) || shape.length < 1 || shape.length > 3 || !shape.every((d) => d === -1 || (Number.isInteger(d) && d >= 1 && d <= 100_000))) {
        throw new UserError(`${where}: target_shape ${JSON.stringify(shape)}; expected 1 to 3 sizes (one may be -1)`);
      }
      return { op: 'reshape', name, from: f(), shape: shape as number[] };
    }
    case 'Dropout': {
      const rate = Number(c.rate);
      if (!(rate >= 0 && rate < 1)) throw new UserError(`${where}: rate ${JSON.stringify(c.rate)}; it must be in [0, 1)`);
      if (c.noise_shape != null) throw new UserError(`${where}: noise_shape is set; init-bench drops units independently`);
      return { op: 'dropout', name, from: f(), rate };
    }
    case 'BatchNormalization': {
      const axis = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
      if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== 3 && axis[0] !== 1)) throw new UserError(`${where}: axis ${JSON.stringify(c.axis)}; init-bench normalizes the last axis (channels last)`);
      if (c.center === false || c.scale === false) throw new UserError(`${where}: center or scale is false; init-bench's batch norm learns both (as Keras's default)`);
      return { op: 'batchNorm', name, from: f() };
    }
    case 'Activation':
      return { op: 'activation', name, from: f(), activation: activationOf(c.activation, where) };
    case 'ReLU': {
      const slope = Number(c.negative_slope ?? 0);
      if (c.max_value != null || Number(c.threshold ?? 0) !== 0 || slope !== 0) throw new UserError(`${where}: max_value, threshold or negative_slope is set; init-bench's relu is max(0, x)`);
      return { op: 'activation', name, from: f(), activation: 'relu' };
    }
    case 'Add':
      if (from.length !== 2) throw new UserError(`${where} adds ${from.length} inputs; init-bench adds two (a residual branch and its skip)`);
      return { op: 'add', name, from: [from[0], from[1]] };
    default:
      throw new UserError(`${where}: init-bench does not run ${l.class_name} layers; it runs ${SUPPORTED_LAYERS.join(', ')}`);
  }
}

function activationOf(value: unknown, where: string): FileActivation {
  const name = value === undefined || value === null ? 'linear' : isObject(value) && typeof value.class_name === 'string' ? value.class_name : value;
  if (typeof name !== 'string' || !(name in ACTIVATION_NAMES)) {
    throw new UserError(`${where}: activation ${JSON.stringify(name)}; init-bench runs ${Object.keys(ACTIVATION_NAMES).join(', ')} (softmax at the output only)`);
  }
  return ACTIVATION_NAMES[name];
}

function channelsLast(c: Record<string, unknown>, where: string): void {
  if (c.data_format != null && c.data_format !== 'channels_last') throw new UserError(`${where}: data_format ${JSON.stringify(c.data_format)}; init-bench runs channels_last`);
}

function paddingOf(v: unknown, where: string): 'valid' | 'same' {
  if (v === undefined || v === 'valid') return 'valid';
  if (v === 'same') return 'same';
  throw new UserError(`${where}: padding ${JSON.stringify(v)}; it must be valid or same`);
}

function bounded(v: unknown, min: number, max: number, what: string): number {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new UserError(`${what} is ${JSON.stringify(v)}; it must be a whole number from ${min} to ${max}`);
  return v as number;
}

/** 3 or [3, 3] -> [3, 3], each side bounded. */
function pair(v: unknown, what: string): [number, number] {
  const list = Array.isArray(v) ? v : [v, v];
  if (list.length !== 2) throw new UserError(`${what} is ${JSON.stringify(v)}; it must be one size or two`);
  return [bounded(list[0], 1, FILE_LIMITS.window, what), bounded(list[1], 1, FILE_LIMITS.window, what)];
}

function isOnes(v: unknown): boolean {
  return v === undefined || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const MODES: Record<string, string> = { fan_in: 'fanIn', fan_out: 'fanOut', fan_avg: 'fanAvg', fanIn: 'fanIn', fanOut: 'fanOut', fanAvg: 'fanAvg' };

/**
 * A Keras/tfjs initializer (`{ class_name, config }`; class names of keras.initializers and
 * tfjs-layers, CamelCase or snake_case) as a catalogue entry. VarianceScaling's `normal` is read
 * as Keras 2.3+ reads it, `truncated_normal` with the std corrected for the truncation
 * (keras `initializers_v2.py`); tfjs-layers 4.22 samples it uncorrected (see catalogue/tfjs.ts).
 */
export function initOf(value: unknown, missing: string): FileInit {
  const v = value === undefined || value === null ? { class_name: missing, config: {} } : typeof value === 'string' ? { class_name: value, config: {} } : value;
  if (!isObject(v) || typeof v.class_name !== 'string') return { unsupported: `an initializer given as ${JSON.stringify(value).slice(0, 40)}` };
  const c = (isObject(v.config) ? v.config : {}) as Record<string, unknown>;
  const key = v.class_name.replace(/_/g, '').toLowerCase();
  const num = (x: unknown, d: number) => (typeof x === 'number' && Number.isFinite(x) ? x : d);
  switch (key) {
    case 'glorotuniform':
      return { name: 'glorotUniform', params: {} };
    case 'glorotnormal':
      return { name: 'glorotNormal', params: {} };
    case 'henormal':
      return { name: 'heNormal', params: {} };
    case 'heuniform':
      return { name: 'heUniform', params: {} };
    case 'lecunnormal':
      return { name: 'leCunNormal', params: {} };
    case 'lecununiform':
      return { name: 'leCunUniform', params: {} };
    case 'zeros':
    case 'zero':
      return { name: 'zeros', params: {} };
    case 'ones':
    case 'one':
      return { name: 'ones', params: {} };
    case 'constant':
      return { name: 'constant', params: { value: num(c.value, 0) } };
    case 'randomnormal':
    case 'normal':
      return { name: 'randomNormal', params: { mean: num(c.mean, 0), stddev: num(c.stddev, 0.05) } };
    case 'randomuniform':
    case 'uniform':
      return { name: 'randomUniform', params: { minval: num(c.minval, -0.05), maxval: num(c.maxval, 0.05) } };
    case 'truncatednormal':
      return { name: 'truncatedNormal', params: { mean: num(c.mean, 0), stddev: num(c.stddev, 0.05) } };
    case 'orthogonal':
      return { name: 'orthogonal', params: { gain: num(c.gain, 1) } };
    case 'identity':
      return { name: 'identity', params: { gain: num(c.gain, 1) } };
    case 'variancescaling': {
      const mode = MODES[String(c.mode ?? 'fan_in')];
      const d = String(c.distribution ?? 'truncated_normal');
      const distribution = d === 'uniform' ? 'uniform' : d === 'untruncated_normal' ? 'untruncatedNormal' : d === 'normal' || d === 'truncated_normal' ? 'truncatedNormal' : undefined;
      if (!mode || !distribution) return { unsupported: `VarianceScaling with mode ${JSON.stringify(c.mode)} and distribution ${JSON.stringify(c.distribution)}` };
      return { name: 'varianceScaling', params: { scale: num(c.scale, 1), mode, distribution } };
    }
    default:
      return { unsupported: `the ${v.class_name} initializer` };
  }
}
