/**
 * Initializers learned from the data before training: greedy layer-wise pretraining of the hidden
 * layers as (denoising) autoencoders. The algorithm is in ../pretrain.ts.
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { OPTIMIZERS } from '../../vocabulary.js';
import { pretrainLayers, type PretrainSettings } from '../pretrain.js';
import type { DataDependentContext } from '../types.js';
import { define } from './define.js';
import { glorotUniform } from './scaled.js';

/** A boolean from YAML/JSON, or "true"/"false" from a flag such as `pretrain(tied=false)`. */
const flagBoolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** Images per chunk when the training images are gathered into one tensor. */
const GATHER_CHUNK = 1000;

const pretrainParams = z
  .object({
    epochs: z.number().int().min(1).max(1000).default(3).describe('Passes over every training image, per layer.'),
    optimizer: z.enum(OPTIMIZERS).default('adam').describe("The autoencoders' update rule, made as the trainer makes it."),
    lr: z.number().positive().default(0.001).describe("The autoencoders' learning rate."),
    batchSize: z.number().int().min(1).max(250_000).default(64).describe('Images per autoencoder step.'),
    corruption: z.number().min(0).lt(1).default(0.25).describe('Fraction of each input zeroed before encoding (denoising; 0: a plain autoencoder).'),
    tied: flagBoolean.default(true).describe("The decoder's matrix: the encoder's transpose W^T (true) or its own V (false)."),
    decoder: z
      .enum(['auto', 'sigmoid', 'tanh', 'linear'])
      .default('auto')
      .describe("The decoder's nonlinearity; auto: sigmoid on inputs in [0, 1] (pixels, sigmoid outputs), tanh after tanh, linear otherwise."),
  })
  .strict();

export const layerwisePretrain = define({
  name: 'layerwisePretrain',
  aliases: ['pretrain', 'autoencoder'],
  summary: 'Each hidden layer in turn trained, without labels, as the encoder of a (denoising) autoencoder on the previous layer\'s outputs.',
  distribution: 'learned from the training images (Glorot-uniform start)',
  formula:
    'from the input: h = act(x W + b), x_hat = dec(h W^T + c) (tied) or dec(h V + c); minimize the reconstruction loss of x from h(mask(x)) for `epochs` passes; keep W, b. Loss: sigmoid decoder sum_i softplus(r_i) - x_i r_i (cross-entropy), else sum_i (x_hat_i - x_i)^2',
  reference:
    'Bengio, Lamblin, Popovici & Larochelle (2007), "Greedy Layer-Wise Training of Deep Networks"; Vincent, Larochelle, Bengio & Manzagol (2008), "Extracting and Composing Robust Features with Denoising Autoencoders"; Erhan et al. (2010), "Why Does Unsupervised Pre-training Help Deep Learning?"',
  lesson: {
    why: 'Before labels are used, each layer learns features that can reconstruct its input, so a deep sigmoid or tanh net starts training from features of the data instead of random projections. This is how deep nets were first trained (Hinton et al. 2006 with RBMs); Erhan et al. (2010) argue that it acts as a regularizer, a starting point from which gradient descent reaches solutions that generalize better, and that its advantage grows with depth. In configs/pretrain.yaml, `probe` shows the gradient reaching the first layer at the start of training at 0.14x the last hidden layer\'s after pretraining, against 0.003x after Xavier.',
    suits: 'Deep sigmoid MLPs trained with plain or momentum SGD, with many unlabeled images and few labels (`data.labeledSize`). configs/pretrain.yaml (5 sigmoid layers, 1,000 labels, 30 epochs of momentum SGD, 3 seeds; a run of 1-2 minutes that CI repeats: `init-bench run --config configs/pretrain.yaml`): pretrained 90.0% ± 0.5% (std over seeds), Xavier 10.7% ± 0.6% and N(0, 0.01^2) 10.8% ± 0.7%, chance. That gain of 79 points is momentum SGD\'s: fine-tuned with Adam, Xavier trains too and the gain is about 5 points (85.1% against 90.6% pretrained, one seed, 0).',
    pitfalls: 'Costs a training run per layer before training starts (configs/pretrain.yaml: 21-28 s per trial on 2 busy vCPUs, recorded apart from the epochs). The recipe matters: with a linear decoder and squared error the same net stayed at chance (10.0%, seed 0). Dense layers of an MLP only.',
  },
  tradeoffs: {
    cost: 'an autoencoder trained per hidden layer over every training image (epochs x layers passes) before training starts',
    shownBy: [{ preset: 'pretrain.yaml', shows: '5 sigmoid layers, 1,000 labels: 90.0% where Xavier stays at chance' }],
  },
  params: pretrainParams,
  sample: (p, req) => glorotUniform.sample({}, req),
  expectedStd: () => null,
  dataDependent: {
    reportKey: 'pretrain',
    run: (p, ctx) => pretrainHidden(p, ctx),
    unsupported: (kinds) => (kinds.includes('conv') ? 'layerwisePretrain pretrains the dense layers of an MLP; this model has conv layers' : undefined),
  },
});

/** Pretrains the hidden dense layers on every training image (gathered once into one tensor). */
async function pretrainHidden(p: z.output<typeof pretrainParams>, ctx: DataDependentContext): Promise<Record<string, unknown>> {
  const { tf } = ctx;
  const chunks = [...ctx.trainingImages(GATHER_CHUNK, ctx.seed)];
  const images = tf.concat(chunks) as Tensor2D;
  tf.dispose(chunks);
  const settings: PretrainSettings = { ...p, seed: ctx.seed };
  try {
    return { ...(await pretrainLayers(tf, ctx.layers.filter((l) => l.kind === 'dense'), images, settings, ctx)) };
  } finally {
    images.dispose();
  }
}
