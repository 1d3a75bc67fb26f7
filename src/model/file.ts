/**
 * A model file's network (keras.ts's `FileModel`) on a dataset: its weight layers as init-bench's
 * layer plan, each with the role the graph gives it, and the program the forward pass runs.
 *
 * Roles, found from the graph:
 * - the output layer: the last Dense, whose output (before an optional softmax, which the loss
 *   applies) is the model's; it must have one unit per class;
 * - residual blocks: each Add of two paths from a common tensor (the fork). The path with more
 *   weight layers is the branch, its last weight layer `residualOut`; the other is the skip: the
 *   identity, or one weight layer (a projection). Fixup's L is the number of Adds and m each
 *   branch's own number of weight layers.
 * - each weight layer's nonlinearity: its own `activation`, or the first Activation/ReLU layer
 *   reached from it through its batch norm and the Add that ends its branch (linear when none):
 *   the gain of He and LSUV, and the diagnostics' dead and saturated units, are about it.
 *
 * Per weight layer, the forward pass records the layer's own output (product, bias, its batch
 * norm), the input of its nonlinearity (after the skip is added at a branch's end) and the
 * nonlinearity's output: what the built-in networks record (network.ts's ForwardTrace).
 */
import { UserError } from '../errors.js';
import type { LayerKind } from '../initializers/types.js';
import type { Activation } from '../vocabulary.js';
import { FILE_LIMITS, type FileInit, type FileModel, type FileNode } from './keras.js';
import type { LayerPlan } from './plan.js';

/** What a step's output is, for weight layer `layer` (an index into the plan). */
export interface Mark {
  layer: number;
  what: 'output' | 'pre' | 'act';
}

/** One step of the forward program: reads named tensors, writes one. */
export type Step = { out: string; marks: Mark[] } & (
  | { op: 'input'; shape: number[] }
  | { op: 'weight'; layer: number; in: string; strides: [number, number] }
  | { op: 'batchNorm'; layer: number; in: string }
  | { op: 'activation'; activation: Activation; in: string }
  | { op: 'pool'; kind: 'max' | 'avg'; size: [number, number]; strides: [number, number]; padding: 'valid' | 'same'; in: string }
  | { op: 'globalAvgPool'; in: string }
  | { op: 'reshape'; shape: number[]; in: string }
  | { op: 'dropout'; rate: number; in: string; index: number }
  | { op: 'add'; in: [string, string] }
);

export interface FileNetwork {
  plans: LayerPlan[];
  steps: Step[];
  /** The tensor the logits are. */
  logits: string;
  /** The model's input shape as fed (the data's images reshaped to it). */
  inputShape: number[];
  /** Trainable weights (kernels, biases, batch-norm scales and shifts). */
  weights: number;
}

/** What a model file says of one of its weight layers, beyond the plan. */
export interface FileLayer {
  /** False where the file's layer has no bias (`use_bias: false`): it stays 0 and is not trained. */
  useBias: boolean;
  /** The initializers the file's author chose (the `file` entry uses them). */
  init: { kernel: FileInit; bias: FileInit };
}

type WeightNode = Extract<FileNode, { op: 'dense' | 'conv' }>;

/** The network of `model` fed images of `data`'s size, with `data.classes` outputs; a UserError says what does not fit. */
export function compileFileModel(model: FileModel, data: { height: number; width: number; classes: number }): FileNetwork {
  const nodes = new Map(model.nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, string[]>();
  for (const n of model.nodes) for (const f of inputsOf(n)) consumers.set(f, [...(consumers.get(f) ?? []), n.name]);
  const shapes = inferShapes(model, data);
  const weightNodes = model.nodes.filter((n): n is WeightNode => n.op === 'dense' || n.op === 'conv');
  if (!weightNodes.length) throw new UserError('the model has no Dense or Conv2D layer: nothing to initialize');
  const index = new Map(weightNodes.map((n, i) => [n.name, i]));

  // The output: the last weight layer, a Dense whose output (or its softmax) is the model's.
  const last = weightNodes[weightNodes.length - 1];
  const outNode = nodes.get(model.output)!;
  const outputOk = last.op === 'dense' && (outNode === last || (outNode.op === 'activation' && (outNode.activation === 'softmax' || outNode.activation === 'linear') && outNode.from === last.name));
  if (!outputOk) throw new UserError(`the model's output is layer ${model.output}; init-bench trains a classifier whose last layer is a Dense (optionally followed by a softmax Activation), whose logits go into the loss`);
  const units = shapes.get(last.name)![0];
  if (units !== data.classes) throw new UserError(`the model outputs ${units} values (layer ${last.name}) but the data have ${data.classes} classes; give the last Dense ${data.classes} units`);
  for (const n of model.nodes) {
    const act = n.op === 'activation' || n.op === 'dense' || n.op === 'conv' ? n.activation : undefined;
    if (act === 'softmax' && n !== last && n !== outNode) throw new UserError(`layer ${n.name} applies softmax inside the network; init-bench applies softmax only to the output (in the loss)`);
  }

  const residual = residualPlaces(model, nodes, index);
  const bnOwner = batchNormOwners(model, nodes, index);
  const plans: LayerPlan[] = weightNodes.map((n, i) => {
    const inShape = shapes.get(n.from)!;
    const shape = n.op === 'dense' ? [inShape[0], n.units] : [n.kernel[0], n.kernel[1], inShape[2], n.filters];
    const place = residual.get(n.name);
    const kind: LayerKind = n === last ? 'output' : place?.role === 'branch' && place.position === place.branchDepth - 1 ? 'residualOut' : n.op;
    return {
      name: n.name,
      kind,
      op: n.op,
      shape,
      activation: n === last ? 'linear' : siteOf(n, nodes, consumers, residual).activation,
      pool: 1,
      padding: n.op === 'conv' ? n.padding : 'valid',
      batchNorm: [...bnOwner.values()].includes(i),
      dropout: 0,
      ...(place ? { residual: place } : {}),
      file: { useBias: n.useBias, init: { kernel: n.kernelInit, bias: n.biasInit } },
    };
  });
  const weights = plans.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1) + (p.file?.useBias ? p.shape[p.shape.length - 1] : 0) + (p.batchNorm ? 2 * p.shape[p.shape.length - 1] : 0), 0);
  if (weights > FILE_LIMITS.weights) throw new UserError(`the model has ${weights} weights on ${data.height}x${data.width} images; at most ${FILE_LIMITS.weights}`);

  const marks = traceMarks(weightNodes, nodes, consumers, residual, last);
  const steps: Step[] = [];
  let dropouts = 0;
  for (const n of model.nodes) {
    const m = (name: string) => marks.get(name) ?? [];
    switch (n.op) {
      case 'input':
        steps.push({ op: 'input', out: n.name, shape: shapes.get(n.name)!, marks: [] });
        break;
      case 'dense':
      case 'conv': {
        const own = n !== last && n.activation !== 'linear' && n.activation !== 'softmax';
        const z = own ? `${n.name}/product` : n.name;
        steps.push({ op: 'weight', layer: index.get(n.name)!, in: n.from, out: z, strides: n.op === 'conv' ? n.strides : [1, 1], marks: m(z) });
        if (own) steps.push({ op: 'activation', activation: n.activation as Activation, in: z, out: n.name, marks: m(n.name) });
        break;
      }
      case 'batchNorm':
        steps.push({ op: 'batchNorm', layer: bnOwner.get(n.name)!, in: n.from, out: n.name, marks: m(n.name) });
        break;
      case 'activation':
        // The output's softmax is the loss's.
        steps.push({ op: 'activation', activation: n.activation === 'softmax' ? 'linear' : n.activation, in: n.from, out: n.name, marks: m(n.name) });
        break;
      case 'pool':
        steps.push({ op: 'pool', kind: n.kind, size: n.size, strides: n.strides, padding: n.padding, in: n.from, out: n.name, marks: m(n.name) });
        break;
      case 'globalAvgPool':
        steps.push({ op: 'globalAvgPool', in: n.from, out: n.name, marks: m(n.name) });
        break;
      case 'flatten':
      case 'reshape':
        steps.push({ op: 'reshape', shape: shapes.get(n.name)!, in: n.from, out: n.name, marks: m(n.name) });
        break;
      case 'dropout':
        steps.push({ op: 'dropout', rate: n.rate, in: n.from, out: n.name, index: dropouts++, marks: m(n.name) });
        break;
      case 'add':
        steps.push({ op: 'add', in: n.from, out: n.name, marks: m(n.name) });
        break;
    }
  }
  return { plans, steps, logits: last.name, inputShape: shapes.get(model.nodes[0].name)!, weights };
}

function inputsOf(n: FileNode): string[] {
  if (n.op === 'input') return [];
  return n.op === 'add' ? n.from : [n.from];
}

/** Each layer's output shape (without the batch axis); the input matched to the data. */
function inferShapes(model: FileModel, data: { height: number; width: number }): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const pixels = data.height * data.width;
  const dataText = `the data are ${data.height}x${data.width} grey images (${pixels} values each)`;
  for (const n of model.nodes) {
    const where = `layer ${n.name}`;
    const input = n.op === 'input' ? [] : shapes.get(inputsOf(n)[0])!;
    const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
    let out: number[];
    switch (n.op) {
      case 'input': {
        const first = model.nodes.find((x) => x.op === 'dense' || x.op === 'conv' || x.op === 'reshape' || x.op === 'flatten');
        const declared = n.shape ?? (first?.op === 'conv' ? [data.height, data.width, 1] : [pixels]);
        const fits =
          (declared.length === 1 && declared[0] === pixels) ||
          (declared.length === 2 && declared[0] === data.height && declared[1] === data.width) ||
          (declared.length === 3 && declared[0] === data.height && declared[1] === data.width && declared[2] === 1);
        if (!fits) throw new UserError(`the model's input is ${JSON.stringify(declared)}; ${dataText}: give the input as [${pixels}] or [${data.height}, ${data.width}, 1]`);
        out = declared;
        break;
      }
      case 'dense':
        if (input.length !== 1) throw new UserError(`${where} (Dense) reads a ${JSON.stringify(input)} tensor; Keras would apply it to the last axis only, init-bench needs a Flatten before it`);
        out = [n.units];
        break;
      case 'conv':
        if (input.length !== 3) throw new UserError(`${where} (Conv2D) reads a ${JSON.stringify(input)} tensor; it needs [height, width, channels] (a Reshape to [${data.height}, ${data.width}, 1] first?)`);
        out = [...windowed(input, n.kernel, n.strides, n.padding, where), n.filters];
        break;
      case 'pool':
        if (input.length !== 3) throw new UserError(`${where} pools a ${JSON.stringify(input)} tensor; it needs [height, width, channels]`);
        out = [...windowed(input, n.size, n.strides, n.padding, where), input[2]];
        break;
      case 'globalAvgPool':
        if (input.length !== 3) throw new UserError(`${where} pools a ${JSON.stringify(input)} tensor; it needs [height, width, channels]`);
        out = [input[2]];
        break;
      case 'flatten':
        out = [size(input)];
        break;
      case 'reshape': {
        const known = n.shape.filter((d) => d !== -1);
        const free = n.shape.length - known.length;
        const rest = size(input) / size(known);
        if (free > 1 || (free === 1 && !Number.isInteger(rest)) || (free === 0 && size(known) !== size(input))) {
          throw new UserError(`${where} reshapes ${JSON.stringify(input)} (${size(input)} values) to ${JSON.stringify(n.shape)}`);
        }
        out = n.shape.map((d) => (d === -1 ? rest : d));
        break;
      }
      case 'add': {
        const other = shapes.get(n.from[1])!;
        if (JSON.stringify(input) !== JSON.stringify(other)) throw new UserError(`${where} adds ${n.from[0]} ${JSON.stringify(input)} and ${n.from[1]} ${JSON.stringify(other)}: the shapes differ`);
        out = input;
        break;
      }
      default:
        out = input;
    }
    if (size(out) > FILE_LIMITS.values) throw new UserError(`${where} outputs ${JSON.stringify(out)} (${size(out)} values per example) on ${data.height}x${data.width} images; a layer may output at most ${FILE_LIMITS.values}`);
    shapes.set(n.name, out);
  }
  return shapes;
}

/** Height and width after a window (conv kernel or pooling), as tfjs and Keras compute them. */
function windowed(input: number[], size: [number, number], strides: [number, number], padding: 'valid' | 'same', where: string): [number, number] {
  const side = (n: number, k: number, s: number) => (padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);
  const h = side(input[0], size[0], strides[0]);
  const w = side(input[1], size[1], strides[1]);
  if (h < 1 || w < 1) throw new UserError(`${where} has a ${input[0]}x${input[1]} input: too small for its ${size[0]}x${size[1]} window`);
  return [h, w];
}

type Place = NonNullable<LayerPlan['residual']>;

/** The residual role of every weight layer inside an Add's branch or skip. */
function residualPlaces(model: FileModel, nodes: Map<string, FileNode>, index: Map<string, number>): Map<string, Place> {
  const adds = model.nodes.filter((n): n is Extract<FileNode, { op: 'add' }> => n.op === 'add');
  const places = new Map<string, Place>();
  // Back from a tensor through one-input layers, to an Add or the input (included).
  const walk = (start: string) => {
    const path: string[] = [];
    let cur: FileNode | undefined = nodes.get(start);
    while (cur) {
      path.push(cur.name);
      if (cur.op === 'add' || cur.op === 'input') break;
      cur = nodes.get(cur.from);
    }
    return path;
  };
  adds.forEach((add, b) => {
    const [a, c] = add.from.map(walk);
    const fork = a.find((n) => c.includes(n));
    if (fork === undefined) throw new UserError(`layer ${add.name} (Add) adds two paths that do not start from one tensor; init-bench runs residual blocks: a branch and its skip from the same input`);
    const weightsOn = (path: string[]) => path.slice(0, path.indexOf(fork)).filter((n) => index.has(n)).reverse();
    const [pa, pc] = [weightsOn(a), weightsOn(c)];
    if (pa.length === pc.length) throw new UserError(`layer ${add.name} (Add): both paths from ${fork} have ${pa.length} weight layers; init-bench needs a branch and a skip (the identity, or one projection layer)`);
    const [branch, skip] = pa.length > pc.length ? [pa, pc] : [pc, pa];
    if (skip.length > 1) throw new UserError(`layer ${add.name} (Add): its skip from ${fork} has ${skip.length} weight layers; a skip is the identity or one projection layer`);
    const common = { branches: adds.length, branchDepth: branch.length, block: b + 1 };
    for (const [position, name] of branch.entries()) claim(places, name, { ...common, role: 'branch', position });
    if (skip.length) claim(places, skip[0], { ...common, role: 'projection', position: 0 });
  });
  return places;
}

function claim(places: Map<string, Place>, name: string, place: Place): void {
  if (places.has(name)) throw new UserError(`layer ${name} is in two residual blocks (${places.get(name)!.block} and ${place.block}); init-bench runs blocks one after the other`);
  places.set(name, place);
}

/** Each BatchNormalization's weight layer: the nearest one before it, through activations, dropout and pooling. */
function batchNormOwners(model: FileModel, nodes: Map<string, FileNode>, index: Map<string, number>): Map<string, number> {
  const owners = new Map<string, number>();
  for (const n of model.nodes) {
    if (n.op !== 'batchNorm') continue;
    let cur = nodes.get(n.from)!;
    while (cur.op === 'activation' || cur.op === 'dropout' || cur.op === 'pool') cur = nodes.get(cur.from)!;
    const owner = index.get(cur.name);
    if (owner === undefined || (cur.op !== 'dense' && cur.op !== 'conv')) throw new UserError(`layer ${n.name} (BatchNormalization) follows ${cur.name}; init-bench runs batch norm after a Dense or Conv2D layer (directly, or after its activation or pooling)`);
    if ([...owners.values()].includes(owner)) throw new UserError(`layer ${cur.name} is followed by two BatchNormalization layers; init-bench gives a layer one`);
    owners.set(n.name, owner);
  }
  return owners;
}

/** Where a weight layer's nonlinearity is: its own, or the first Activation reached through its batch norm and its branch's Add. */
function siteOf(n: WeightNode, nodes: Map<string, FileNode>, consumers: Map<string, string[]>, residual: Map<string, Place>): { activation: Activation; chain: string[]; site: string | null; ownOutput: string } {
  if (n.activation !== 'linear' && n.activation !== 'softmax') return { activation: n.activation, chain: [], site: n.name, ownOutput: `${n.name}/product` };
  const branchEnd = residual.get(n.name);
  const endsBranch = branchEnd?.role === 'branch' && branchEnd.position === branchEnd.branchDepth - 1;
  let cur = n.name;
  let ownOutput = n.name;
  const chain: string[] = [];
  for (;;) {
    const next = consumers.get(cur);
    if (!next || next.length !== 1) break;
    const node = nodes.get(next[0])!;
    if (node.op === 'batchNorm' && chain.length === 0) {
      ownOutput = node.name;
    } else if (node.op === 'add' && endsBranch && !chain.some((c) => nodes.get(c)!.op === 'add')) {
      // the skip is added before the nonlinearity
    } else if (node.op === 'activation') {
      return { activation: node.activation === 'softmax' ? 'linear' : node.activation, chain, site: node.name, ownOutput };
    } else break;
    chain.push(node.name);
    cur = node.name;
  }
  return { activation: 'linear', chain, site: null, ownOutput };
}

/** Which step outputs are each weight layer's own output, pre-activation and activation. */
function traceMarks(weightNodes: WeightNode[], nodes: Map<string, FileNode>, consumers: Map<string, string[]>, residual: Map<string, Place>, last: WeightNode): Map<string, Mark[]> {
  const marks = new Map<string, Mark[]>();
  const add = (name: string, m: Mark) => marks.set(name, [...(marks.get(name) ?? []), m]);
  weightNodes.forEach((n, layer) => {
    if (n === last) {
      for (const what of ['output', 'pre', 'act'] as const) add(n.name, { layer, what });
      return;
    }
    const site = siteOf(n, nodes, consumers, residual);
    add(site.ownOutput, { layer, what: 'output' });
    if (site.site === n.name) {
      add(`${n.name}/product`, { layer, what: 'pre' });
      add(n.name, { layer, what: 'act' });
    } else if (site.site) {
      add(nodes.get(site.site)!.op === 'activation' ? (nodes.get(site.site) as { from: string }).from : site.site, { layer, what: 'pre' });
      add(site.site, { layer, what: 'act' });
    } else {
      // No nonlinearity: the end of the chain is both (a projection's is its own output).
      const end = residual.get(n.name)?.role === 'projection' ? site.ownOutput : (site.chain[site.chain.length - 1] ?? n.name);
      add(end, { layer, what: 'pre' });
      add(end, { layer, what: 'act' });
    }
  });
  return marks;
}
