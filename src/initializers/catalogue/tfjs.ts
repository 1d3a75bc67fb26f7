/**
 * tfjs's own initializers, exactly as @tensorflow/tfjs-layers ships them, under a `tfjs:`
 * prefix. They exist so users can see the difference: tfjs-layers 4.x samples heNormal,
 * glorotNormal and leCunNormal from a truncated normal without the variance correction, which
 * gives 0.774x the variance the names promise (docs/science.md). Their expected std is the one the
 * name promises, so `inspect` shows the gap as stdRatio.
 */
import { z } from 'zod';
import { withoutConsoleNoise } from '../../backend/tf.js';
import { deriveSeed } from '../../util/random.js';
import type { InitializerEntry } from '../types.js';

/** The tfjs names mirrored, with the entry of ours whose formula the name promises. */
const MIRRORED = [
  'zeros', 'ones', 'constant', 'randomNormal', 'randomUniform', 'truncatedNormal', 'glorotNormal',
  'glorotUniform', 'heNormal', 'heUniform', 'leCunNormal', 'leCunUniform', 'orthogonal', 'identity',
] as const;

export function tfjsEntries(ours: (name: string) => InitializerEntry): InitializerEntry[] {
  return MIRRORED.map((name) => {
    const twin = ours(name);
    return {
      ...twin,
      name: `tfjs:${name}`,
      aliases: [],
      summary: `tfjs-layers' own ${name}, as shipped (for comparison with ours).`,
      // tfjs takes its own parameter names, which match ours for these entries.
      params: twin.params instanceof z.ZodObject ? twin.params : z.object({}).passthrough(),
      async sample(params, req) {
        // tfjs-layers is loaded only here: nothing else in init-bench needs it.
        const layers = await import('@tensorflow/tfjs-layers');
        registerChainedOps(await import('@tensorflow/tfjs-core'));
        // tfjs treats seed 0 as "no seed": derive a non-zero one from our stream.
        const seed = (deriveSeed(req.rng.nextUint32(), 'tfjs') % 2147483646) + 1;
        const config = { ...params, seed } as Record<string, unknown>;
        if (params.gain === 'auto') config.gain = twin.gain?.(params, req) ?? 1;
        const make = (layers.initializers as unknown as Record<string, (c: unknown) => { apply(shape: number[]): import('@tensorflow/tfjs-core').Tensor }>)[name];
        // tfjs warns on stderr that its orthogonal is slow for large kernels; we know.
        const tensor = await withoutConsoleNoise(async () => make(config).apply(req.shape));
        const values = (await tensor.data()) as Float32Array;
        tensor.dispose();
        return values;
      },
      tfjs: true,
      dataDependent: undefined,
    };
  });
}

/**
 * tfjs-layers' Orthogonal calls five of tfjs-core's chained ops (`rMat.flatten().stridedSlice(...)`,
 * `diag.sign()`, `qMat.transpose()`, `qMat.reshape(...)`), which the umbrella @tensorflow/tfjs
 * registered on every Tensor and tfjs-core alone does not: they are added here, each the op of
 * the same name.
 */
function registerChainedOps(tf: typeof import('@tensorflow/tfjs-core')): void {
  type T = import('@tensorflow/tfjs-core').Tensor;
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  proto.flatten ??= function (this: T) {
    return tf.reshape(this, [this.size]);
  };
  proto.stridedSlice ??= function (this: T, begin: number[], end: number[], strides: number[]) {
    return tf.stridedSlice(this, begin, end, strides);
  };
  proto.sign ??= function (this: T) {
    return tf.sign(this);
  };
  proto.transpose ??= function (this: T, perm?: number[]) {
    return tf.transpose(this, perm);
  };
  proto.reshape ??= function (this: T, shape: number[]) {
    return tf.reshape(this, shape);
  };
}
