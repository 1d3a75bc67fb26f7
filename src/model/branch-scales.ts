/**
 * Learnable scalars on residual branches (model.branchScale). The plain residual block of plan.ts
 * is out = act(skip + branch(x)), He et al. (2016). Each rule below adds trainable scalars to it:
 *
 * - rezero (Bachlechner et al. 2020, "ReZero is All You Need: Fast Convergence at Large Depth"):
 *   out = skip + alpha * branch(x), alpha a scalar per block starting at 0, and no activation after
 *   the sum: the block is the identity at init and the skip path is never rectified.
 * - skipinit (De & Smith 2020, "Batch Normalization Biases Residual Blocks Towards the Identity
 *   Function in Deep Networks"): out = act(skip + alpha * branch(x)), the same scalar starting at 0
 *   at the end of the branch, the block otherwise untouched. The paper offers it as what lets a deep
 *   residual net train without batch norm; here batch norm stays as `model.batchNorm` says, so
 *   with it off the comparison is the paper's and with it on both are present. On this post-activation
 *   block the only difference from rezero is the activation after the sum.
 * - fixup (Zhang, Dauphin & Ma 2019, "Fixup Initialization", rule 3): a scalar multiplier starting
 *   at 1 at the end of each branch and scalar biases starting at 0 before each product and each
 *   activation of the branch, and after the multiplier. Rules 1 and 2 (the zero branch ends and
 *   the rescaled branch layers) are the `fixup` initializer. The layers keep their own per-unit
 *   biases, which the paper's convs do not have.
 *
 * With alpha starting at 0, the branch's last layer must not also start at 0: alpha's gradient is
 * the branch's output and that layer's gradient is scaled by alpha, so neither would ever move.
 */
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { Tf } from '../backend/tf.js';
import type { BranchScale } from '../vocabulary.js';
import type { LayerPlan } from './plan.js';

export interface BranchScalars {
  /** alpha (rezero, skipinit: 0) or Fixup's multiplier (1), on the last layer of a branch. */
  scale?: Variable;
  /** Fixup: added to the layer's input, before its product. */
  biasIn?: Variable;
  /** Fixup: added before the activation (inside the branch) or after the multiplier (its last layer). */
  biasOut?: Variable;
  /** rezero: no activation after the sum. */
  noActivation?: boolean;
}

export const BRANCH_SCALE_RULES: readonly { name: BranchScale; block: string; scalars: string; source: string }[] = [
  { name: 'none', block: 'out = act(skip + branch(x))', scalars: 'none', source: 'He et al. 2016' },
  { name: 'rezero', block: 'out = skip + alpha * branch(x) (no activation after the sum)', scalars: 'alpha per block, starts at 0', source: 'Bachlechner et al. 2020 (ReZero)' },
  { name: 'skipinit', block: 'out = act(skip + alpha * branch(x)); batch norm as model.batchNorm says', scalars: 'alpha per block at the end of the branch, starts at 0', source: 'De & Smith 2020 (SkipInit)' },
  { name: 'fixup', block: 'out = act(skip + scale * branch(x) + b); each branch layer W(x + b_in), act(. + b_act)', scalars: 'scale per block starts at 1; scalar biases before each product and activation and after the scale start at 0', source: 'Zhang et al. 2019 (Fixup), rule 3' },
];

/** The scalars of one layer, or undefined (not in a branch, or no branch scale). Created inside the caller's tidy. */
export function branchScalars(tf: Tf, rule: BranchScale | undefined, plan: LayerPlan): BranchScalars | undefined {
  if (!rule || rule === 'none' || plan.residual?.role !== 'branch') return undefined;
  const last = plan.kind === 'residualOut';
  const scalar = (v: number) => tf.variable(tf.scalar(v));
  if (rule === 'fixup') return { biasIn: scalar(0), biasOut: scalar(0), ...(last ? { scale: scalar(1) } : {}) };
  if (!last) return undefined;
  return { scale: scalar(0), ...(rule === 'rezero' ? { noActivation: true } : {}) };
}

export function scalarVariables(b: BranchScalars | undefined): Variable[] {
  return b ? [b.scale, b.biasIn, b.biasOut].filter((v): v is Variable => v !== undefined) : [];
}

/** The layer's input, shifted by Fixup's scalar bias. */
export function branchInput(tf: Tf, b: BranchScalars | undefined, h: Tensor): Tensor {
  return b?.biasIn ? tf.add(h, b.biasIn) : h;
}

/** The layer's output (after batch norm, before the sum and the activation), scaled and shifted. */
export function branchOutput(tf: Tf, b: BranchScalars | undefined, z: Tensor): Tensor {
  if (!b) return z;
  const scaled = b.scale ? tf.mul(z, b.scale) : z;
  return b.biasOut ? tf.add(scaled, b.biasOut) : scaled;
}
