/**
 * The recommended gain for a nonlinearity: the factor by which the weight std must be scaled so
 * that the activation keeps the variance of its input (PyTorch `torch.nn.init.calculate_gain`).
 *
 *   linear, sigmoid 1     tanh 5/3     relu sqrt(2)     leakyRelu sqrt(2 / (1 + slope^2))
 *   selu 3/4 (PyTorch's choice; self-normalizing nets use LeCun normal, i.e. gain 1 on fanIn)
 *   elu 1 (PyTorch has no entry; ELU is close to the identity for small inputs)
 */
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'leakyRelu', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export function gainFor(activation: Activation, leakySlope = 0.01): number {
  switch (activation) {
    case 'linear':
    case 'sigmoid':
    case 'elu':
      return 1;
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
