/**
 * An initializer as a config names it and a trial uses it: plain data, importing nothing, so the
 * API's type declarations (which hold it through ExperimentConfig) stand alone, without tfjs's.
 */

/**
 * Where a kernel sits: hidden dense layer, hidden conv layer, the output (logits) layer, or the
 * last layer of a residual branch (dense or conv), whose output is added to the skip: zero there
 * makes the block start as the identity (Goyal et al. 2017; SkipInit, De & Smith 2020).
 */
export type LayerKind = 'dense' | 'conv' | 'output' | 'residualOut';

/** An initializer's parameters by name (each entry's zod schema checks them). */
export type Params = Record<string, unknown>;

/** One kernel initializer with its full parameters. */
export interface KernelSpec {
  name: string;
  params: Params;
}

/**
 * An initializer as a trial uses it: the main kernel initializer, optional overrides per layer
 * kind (`dense`, `conv`, `output`, `residualOut`), the bias initializer (zeros unless given), and the label shown.
 */
export interface InitSpec extends KernelSpec {
  label: string;
  layers?: Partial<Record<LayerKind, KernelSpec>>;
  bias?: KernelSpec;
}

/** One parameter of an initializer as a reader sees it (params.ts derives it from the entry's zod schema). */
export interface ParameterDoc {
  name: string;
  /** In words: "number > 0", "fanIn | fanOut", "auto or number > 0". */
  type: string;
  /** What an absent parameter becomes; undefined when it has no default. */
  default?: unknown;
  /** The few values it may take (an enum, a boolean), for a form's menu. */
  choices?: unknown[];
  description: string;
}
