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
