/**
 * The forward pass of a model file's network (file.ts's program): each step reads named tensors
 * and writes one, with the model's own variables for the weight layers and their batch norm.
 * Modes and the trace are network.ts's: probe mode records, per weight layer, its own output,
 * the input of its nonlinearity and the nonlinearity's output.
 */
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/tf.js';
import type { Activation } from '../vocabulary.js';
import type { FileNetwork } from './file.js';
import type { ForwardTrace, Layer, Mode } from './network.js';

/** What the forward pass borrows from network.ts: the nonlinearities and batch norm, exactly as the built-in networks apply them. */
export interface GraphOps {
  activate(x: Tensor, activation: Activation): Tensor;
  batchNorm(layer: Layer, z: Tensor, index: number): Tensor;
}

export function forwardGraph(tf: Tf, net: FileNetwork, layers: Layer[], x: Tensor2D, mode: Mode, dropoutSeed: number, trace: ForwardTrace, ops: GraphOps): void {
  const tensors = new Map<string, Tensor>();
  const get = (name: string) => tensors.get(name)!;
  for (const step of net.steps) {
    let out: Tensor;
    switch (step.op) {
      case 'input':
        out = tf.reshape(x, [-1, ...step.shape]);
        break;
      case 'weight': {
        const layer = layers[step.layer];
        const h = get(step.in);
        const product = layer.op === 'conv' ? tf.conv2d(h as Tensor4D, layer.kernel as unknown as Tensor4D, step.strides, layer.padding) : tf.matMul(h as Tensor2D, layer.kernel as unknown as Tensor2D);
        out = tf.add(product, layer.bias);
        break;
      }
      case 'batchNorm':
        out = ops.batchNorm(layers[step.layer], get(step.in), step.layer);
        break;
      case 'activation':
        out = ops.activate(get(step.in), step.activation);
        break;
      case 'pool': {
        const h = get(step.in) as Tensor4D;
        out = step.kind === 'max' ? tf.maxPool(h, step.size, step.strides, step.padding) : tf.avgPool(h, step.size, step.strides, step.padding);
        break;
      }
      case 'globalAvgPool':
        out = tf.mean(get(step.in), [1, 2]);
        break;
      case 'reshape':
        out = tf.reshape(get(step.in), [-1, ...step.shape]);
        break;
      case 'dropout':
        out = mode === 'train' && step.rate > 0 ? tf.dropout(get(step.in), step.rate, undefined, dropoutSeed * 131 + 1000 + step.index) : get(step.in);
        break;
      case 'add':
        out = tf.add(get(step.in[0]), get(step.in[1]));
        break;
    }
    tensors.set(step.out, out);
    if (mode === 'probe') {
      for (const m of step.marks) {
        const list = m.what === 'output' ? trace.outputs : m.what === 'pre' ? trace.preActivations : trace.activations;
        list[m.layer] = out;
      }
    }
  }
  trace.logits = get(net.logits) as Tensor2D;
}
