/**
 * The names every layer shares, defined once at the bottom so that the catalogue, the model, the
 * trainer, the config schema and the serve page all read the same lists: the hidden layers'
 * activations and the optimizers. What each one does lives where it is used (initializers/gain.ts,
 * model/network.ts, train/optimizers.ts); only the vocabulary is here.
 */

/** Hidden-layer nonlinearities (the output layer is always softmax). */
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'leakyRelu', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Optimizers: plain SGD, heavy-ball momentum (0.9), Adam, RMSprop. */
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/**
 * How weights scale with the network's width (model/parametrization.ts): standard (the
 * initializer as it is, one learning rate), ntk (Jacot et al. 2018) and mup (Yang et al. 2022).
 */
export const PARAMETRIZATIONS = ['standard', 'ntk', 'mup'] as const;
export type Parametrization = (typeof PARAMETRIZATIONS)[number];

/**
 * Learnable scalars on residual branches (model/branch-scales.ts): none, ReZero (Bachlechner et
 * al. 2020), SkipInit (De & Smith 2020), Fixup's multiplier and scalar biases (Zhang et al. 2019).
 */
export const BRANCH_SCALES = ['none', 'rezero', 'skipinit', 'fixup'] as const;
export type BranchScale = (typeof BRANCH_SCALES)[number];
