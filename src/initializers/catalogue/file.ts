/**
 * `file`: the initializers a model file's author chose (`kernel_initializer`, `bias_initializer`
 * of each Dense and Conv2D layer), as a baseline beside the catalogue's. model/keras.ts
 * translates each Keras or tfjs initializer into the catalogue entry of the same definition; the
 * model hands it to the sampler as `req.authored`, and this entry delegates to it.
 */
import { z } from 'zod';
import type { InitializerEntry, KernelRequest, Params } from '../types.js';
import { UserError } from '../../errors.js';
import { define, definedEntries } from './define.js';

type Req = Omit<KernelRequest, 'rng'>;

/** The catalogue entry the file names for this kernel; an Error where the model is not a file. */
function authoredEntry(req: Req): { entry: InitializerEntry; params: Params } {
  if (!req.authored) throw new UserError('the `file` initializer is a model file\'s own initializers: it fills the layers of a model file (model.file, --model-file) only');
  const entry = definedEntries().find((e) => e.name === req.authored!.name);
  if (!entry) throw new Error(`the model file's initializer ${req.authored.name} is not in the catalogue`);
  return { entry, params: req.authored.params };
}

export const file = define({
  name: 'file',
  aliases: ['authored'],
  summary: "The model file's own initializers, layer by layer, as its author chose them (Keras's default: Glorot uniform kernels, zero biases).",
  distribution: 'per layer, as the file says',
  formula: "each layer: its kernel_initializer (bias: its bias_initializer), e.g. Keras's VarianceScaling(scale, mode, distribution) = the catalogue's varianceScaling",
  reference: null,
  lesson: {
    why: 'A model file carries its author\'s choice of initializers, often without it being a choice: Keras and tfjs give every Dense and Conv2D layer Glorot uniform unless told otherwise. Comparing the file\'s own choice with He, LeCun or orthogonal answers "would another initialization train my network better?".',
    suits: 'Any model file (model.file): the baseline the others are measured against.',
    pitfalls: "Keras's VarianceScaling with distribution normal is read as Keras 2.3 and later read it (a truncated normal with the std corrected for the truncation); tfjs-layers 4.22 samples it without the correction (std 0.88x smaller, see the tfjs: entries). Per-kind overrides (`{ name: file, output: zeros }`) and a `bias` given in the config replace the file's choice where they apply.",
  },
  tradeoffs: { cost: 'as the file\'s initializers', shownBy: [] },
  params: z.object({}).strict(),
  sample: (_p, req) => {
    const { entry, params } = authoredEntry(req);
    return entry.sample(params, req);
  },
  expectedStd: (_p, req) => {
    const { entry, params } = authoredEntry(req);
    return entry.expectedStd(params, req);
  },
});
