/**
 * Initializers for residual nets (model.residual): Fixup. Zero-initialized branches need no entry
 * of their own: `{ dense: heNormal, residualOut: zeros }` is Goyal et al.'s starting point, and
 * ZerO zeroes the branches itself (structured.ts). Learnable scalars on the branches (ReZero,
 * SkipInit, Fixup's rule 3) are part of the model: model.branchScale (model/branch-scales.ts).
 */
import { z } from 'zod';
import type { KernelRequest } from '../types.js';
import { define, DRAW } from './define.js';
import { constant, sampleVarianceScaling, varianceScalingStd, type VarianceScaling } from '../variance.js';

const HE: VarianceScaling = { scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' };

/**
 * Fixup's rescaling of the layers inside residual branches (Zhang, Dauphin & Ma 2019, rule 2):
 * std times L^(-1/(2m-2)) for L branches of m layers. It keeps the update of the whole net's
 * output per SGD step O(1) however many branches there are; m = 2 gives L^(-1/2).
 */
export function fixupScale(branches: number, branchDepth: number): number {
  if (branchDepth < 2) throw new Error('Fixup rescales the layers before the last of a branch: a branch of 1 layer has none');
  return branches ** (-1 / (2 * branchDepth - 2));
}

type Place = Omit<KernelRequest, 'rng'>;

/** Rule 1: the output layer and the last layer of every branch start at 0. */
function zeroed(req: Place): boolean {
  return req.kind === 'output' || req.kind === 'residualOut';
}

/** Rule 2: He, its std rescaled inside branches (its variance by the square); the stem and projections get plain He. */
function rescaledHe(req: Place): VarianceScaling {
  const r = req.residual;
  const factor = r?.role === 'branch' ? fixupScale(r.branches, r.branchDepth) : 1;
  return { ...HE, scale: HE.scale * factor ** 2 };
}

export const fixup = define({
  name: 'fixup',
  aliases: [],
  summary: 'Residual nets: output layer and last layer of each branch 0, the other branch layers He times L^(-1/(2m-2)).',
  distribution: 'truncatedNormal (0 at the end of each branch and at the output)',
  formula: 'output and residualOut: W = 0; other layers in a branch: W ~ truncated N(0, 2 / fanIn) * L^(-1/(2m-2)), L branches of m layers; stem and projections: He',
  reference: 'Zhang, Dauphin & Ma (2019), "Fixup Initialization: Residual Learning Without Normalization"',
  lesson: {
    why: 'With He in every branch, each residual block adds its own variance to the signal, which then grows exponentially with the number of blocks; normalization used to be what tamed it. Fixup starts each block as the identity (its last layer 0) and shrinks the other branch layers by L^(-1/(2m-2)), so that one SGD step changes the output by O(1) however deep the net: deep residual nets train without batch norm.',
    suits: 'Residual nets without batch norm (model.residual, batchNorm off); ReLU.',
    pitfalls: 'Only its initialization rules (1 and 2) are here: the paper also adds a scalar multiplier and scalar biases to every branch (rule 3), which `model.branchScale: fixup` adds (configs/branch-scales.yaml). On a plain net it is He with a zero output layer. It starts slower than zero-initialized branches alone, for two reasons of about the same weight in an ablation of the residual preset\'s first epoch: its zero output layer holds every other gradient back until it has grown, and the L^(-1/(2m-2)) shrink of the branch layers slows them (Fixup with a He output layer is still behind the zero branches alone). With blockDepth 1 a branch is its zero last layer alone, and the rescaling has nothing to act on.',
  },
  tradeoffs: {
    cost: DRAW,
    shownBy: [{ preset: 'residual.yaml', shows: 'a 21-layer residual net without batch norm trains, where He in every branch diverges' }],
  },
  params: z.object({}).strict(),
  sample: (_p, req) => (zeroed(req) ? constant(req.shape, 0) : sampleVarianceScaling(rescaledHe(req), req, req.rng)),
  expectedStd: (_p, req) => (zeroed(req) ? null : varianceScalingStd(rescaledHe(req), req)),
});
