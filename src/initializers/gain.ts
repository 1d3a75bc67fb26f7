/**
 * The recommended gain for a nonlinearity: the factor by which the weight std must be scaled so
 * that the activation keeps the variance of its input (PyTorch `torch.nn.init.calculate_gain`).
 *
 *   linear, sigmoid 1     tanh 5/3     relu sqrt(2)     leakyRelu sqrt(2 / (1 + slope^2))
 *   selu 3/4 (PyTorch's choice; self-normalizing nets use LeCun normal, i.e. gain 1 on fanIn)
 *   elu 1.2452 (PyTorch has no entry: see ELU_GAIN)
 */
import type { Activation } from '../vocabulary.js';
export { ACTIVATIONS, type Activation } from '../vocabulary.js';

/**
 * ELU (alpha 1) has no gain in PyTorch or Keras. Its gain here makes pre-activation variance 1 a
 * fixed point of the mean-field recursion q(l+1) = gain^2 E[elu(sqrt(q) z)^2], z ~ N(0, 1)
 * (Schoenholz et al. 2017; the same condition fixes SELU's constants, Klambauer et al. 2017):
 * gain = 1 / sqrt(E[elu(z)^2]), with E[elu(z)^2] = 1/2 + E[(e^z - 1)^2; z < 0]
 *      = 1/2 + e^2 Phi(-2) - 2 e^(1/2) Phi(-1) + 1/2 = 0.6449454, so gain = 1.2451983.
 * Below it (gain 1, ELU's slope at 0) the variance decays with depth; at sqrt(2) (He) it grows
 * about by 1 per layer, since ELU passes the positive half and saturates at -1 below.
 */
export const ELU_GAIN = 1.2451983007007066;

export function gainFor(activation: Activation, leakySlope = 0.01): number {
  switch (activation) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'elu':
      return ELU_GAIN;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
      return Math.sqrt(2 / (1 + leakySlope * leakySlope));
    case 'selu':
      return 3 / 4;
  }
}
