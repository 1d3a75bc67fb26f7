/**
 * From per-layer numbers to words: which signal or gradient problems a network has at init, what
 * went wrong in a trained trial, and which initializers to recommend. Every verdict is derived
 * from measured numbers against the thresholds below, never from a fixed table of names.
 */
import type { LayerStats } from './layers.js';
import type { EpochMetrics, TrialDiagnostics } from '../results/schema.js';

/** Thresholds, stated once (and printed by probe). */
export const THRESHOLDS = {
  /**
   * Gradient-norm ratios are judged from this many hidden layers on: in a shallow net they
   * mostly reflect differing layer shapes (a 1-channel conv against a 16-channel one, 784
   * inputs against 256), not a vanishing or exploding trend.
   */
  minDepthForGradients: 4,
  /** Activation std of the last hidden layer vs the first: below this the signal vanishes... */
  signalVanishes: 0.25,
  /** ...above this it explodes. */
  signalExplodes: 4,
  /** Kernel gradient norm of the first layer vs the last hidden layer: same bounds. */
  gradientVanishes: 0.25,
  gradientExplodes: 4,
  /** Any kernel gradient norm below this is vanishing outright. */
  gradientFloor: 1e-7,
  /**
   * Gradient norm / weight norm of a kernel below this: a step of an ordinary learning rate
   * (0.01-0.1) changes the weights by less than 1e-4 of their size; training crawls.
   */
  gradToWeightFloor: 1e-3,
  /**
   * Fraction of dead units (ReLU family) or saturated outputs (tanh/sigmoid) that is a problem.
   * Deep ReLU nets at a healthy init already have 10-25% of units silent on a whole batch (their
   * inputs grow correlated with depth), so the bar is a majority.
   */
  deadUnits: 0.5,
  saturated: 0.5,
  /** Fewer distinct units than this fraction of a layer's width: symmetry was not broken. */
  symmetric: 0.1,
  /**
   * First-layer pre-activation std this many times above, or below 1 over it, what the layer's
   * initializers promise (promise.ts). Sampling noise on a batch of 256 moves it by a few percent,
   * the uneven pixels of MNIST under a conv patch by less than this.
   */
  promiseFactor: 2,
  /**
   * With batch norm: training accuracy in training mode (batch statistics) this far above the
   * same training examples' accuracy in inference mode (running statistics). Overfitting cannot
   * open that gap (the examples are the training ones in both); running averages that still
   * remember earlier weights can (Wu & Johnson 2021, "Rethinking 'Batch' in BatchNorm").
   */
  batchNormLag: 0.1,
};

export interface Assessment {
  /** Hidden layers measured. */
  depth: number;
  /** Activation std of each hidden layer relative to the first hidden layer's. */
  signalRatios: number[];
  /** Kernel gradient norm of each hidden layer relative to the last hidden layer's. */
  gradientRatios: number[];
  problems: string[];
  healthy: boolean;
  /** Smaller is healthier: |log signal drift| + |log gradient drift|. */
  score: number;
}

/**
 * `distinct`: distinct units per hidden layer, when known (see layers.ts, distinctUnits);
 * `promisedStd`: the first layer's pre-activation std its initializers promise (promise.ts), when known.
 */
export function assess(layers: LayerStats[], distinct?: number[], promisedStd?: number | null): Assessment {
  const hidden = layers.slice(0, -1);
  const problems: string[] = [];
  const measuredFirst = Math.sqrt(layers[0]?.preActivationMeanSquare ?? NaN);
  if (promisedStd && Number.isFinite(measuredFirst)) {
    const ratio = measuredFirst / promisedStd;
    if (ratio > THRESHOLDS.promiseFactor || ratio < 1 / THRESHOLDS.promiseFactor) {
      problems.push(`first-layer pre-activation scale off its initializers' promise (root mean square ${fmt(measuredFirst)}, x${fmt(ratio)} the ${fmt(promisedStd)} of sqrt(fanIn E[x^2] Var(W) + E[b^2]))`);
    }
  }
  const symmetric = symmetryProblem(hidden.map((l) => l.units), distinct);
  if (symmetric) problems.push(symmetric);
  const base = hidden[0]?.activationStd ?? NaN;
  const gradBase = hidden[hidden.length - 1]?.gradNorm ?? NaN;
  const signalRatios = hidden.map((l) => l.activationStd / base);
  const gradientRatios = hidden.map((l) => l.gradNorm / gradBase);
  const lastSignal = signalRatios[signalRatios.length - 1];
  const firstGrad = gradientRatios[0];
  const minGrad = Math.min(...layers.map((l) => l.gradNorm));
  const nonFinite = layers.some((l) => !Number.isFinite(l.activationStd) || !Number.isFinite(l.gradNorm));

  if (nonFinite) problems.push('non-finite activations or gradients');
  const deep = hidden.length >= THRESHOLDS.minDepthForGradients;
  if (!(base > 0)) problems.push('no signal: the first hidden layer outputs a constant');
  else if (lastSignal < THRESHOLDS.signalVanishes) problems.push(`vanishing signal (activation std x${fmt(lastSignal)} by layer ${hidden.length})`);
  else if (lastSignal > THRESHOLDS.signalExplodes) problems.push(`exploding signal (activation std x${fmt(lastSignal)} by layer ${hidden.length})`);
  // A kernel that starts at exactly 0 but has a gradient (Fixup's output layer, the last layer of a
  // zero-initialized residual branch) moves at the first step; the layers before it get no gradient
  // until then. That is how those schemes start, not a vanishing gradient.
  const lastUnlocking = layers.map((l) => l.weightNorm === 0 && l.gradNorm >= THRESHOLDS.gradientFloor).lastIndexOf(true);
  const waiting = (i: number) => i < lastUnlocking && layers[i].gradNorm < THRESHOLDS.gradientFloor;
  const measured = layers.filter((_, i) => !waiting(i));
  const zeroGradLayer = layers.findIndex((l, i) => !waiting(i) && l.gradNorm < THRESHOLDS.gradientFloor);
  const gradsMeasured = !waiting(0) && !waiting(hidden.length - 1);
  if (zeroGradLayer >= 0) problems.push(`vanishing gradients (layer ${zeroGradLayer + 1} grad ${fmt(layers[zeroGradLayer].gradNorm)})`);
  else if (measured.some((l) => l.gradToWeightRatio < THRESHOLDS.gradToWeightFloor)) {
    const smallest = Math.min(...measured.map((l) => l.gradToWeightRatio));
    problems.push(`vanishing gradients (grad/weight ${fmt(smallest)})`);
  } else if (deep && gradsMeasured && firstGrad < THRESHOLDS.gradientVanishes) problems.push(`vanishing gradients (layer 1 grad x${fmt(firstGrad)} of layer ${hidden.length})`);
  else if (deep && gradsMeasured && firstGrad > THRESHOLDS.gradientExplodes) problems.push(`exploding gradients (layer 1 grad x${fmt(firstGrad)} of layer ${hidden.length})`);
  const dead = worst(hidden.map((l) => l.deadFraction));
  if (dead.value > THRESHOLDS.deadUnits) problems.push(`dead ReLUs ${pct(dead.value)} (layer ${dead.index + 1})`);
  const saturated = worst(hidden.map((l) => l.saturatedFraction));
  if (saturated.value > THRESHOLDS.saturated) problems.push(`saturated ${pct(saturated.value)} (layer ${saturated.index + 1})`);

  const drift = (r: number[]) => Math.max(...r.map((x) => Math.abs(Math.log(x))));
  // Layers still waiting for their gradient (see above) say nothing about its drift.
  const gradientDrift = gradsMeasured ? drift(gradientRatios.filter((_, i) => !waiting(i))) : 0;
  const score = drift(signalRatios) + gradientDrift + (Number.isFinite(minGrad) ? 0 : Infinity);
  return { depth: hidden.length, signalRatios, gradientRatios, problems, healthy: problems.length === 0, score: Number.isFinite(score) ? score : Infinity };
}

/** The range of a list of ratios, as "0.85-1.10x". */
export function range(ratios: number[]): string {
  return `${fmt(Math.min(...ratios))}-${fmt(Math.max(...ratios))}x`;
}

/**
 * Probe's closing advice: the healthy initializers, best first, with the numbers that make them
 * healthy; then what goes wrong with the others.
 */
export function recommend(results: { init: string; assessment: Assessment }[]): string[] {
  const healthy = results.filter((r) => r.assessment.healthy).sort((a, b) => a.assessment.score - b.assessment.score);
  const others = results.filter((r) => !r.assessment.healthy);
  const lines: string[] = [];
  const gradients = (ratios: number[]) => {
    const measured = ratios.filter((x) => Number.isFinite(x) && x > 0);
    return measured.length === ratios.length
      ? `kernel gradient norms within ${range(ratios)} of the last hidden layer's`
      : 'kernel gradients start at 0 behind a zero-initialized layer (they flow once it moves, after the first step)';
  };
  const describe = (r: (typeof results)[number]) =>
    `activation std stays within ${range(r.assessment.signalRatios)} of layer 1's across ${r.assessment.depth} hidden layers; ${gradients(r.assessment.gradientRatios)}`;
  if (healthy.length) {
    lines.push(`Recommended: ${healthy.map((r) => r.init).join(', ')}`);
    for (const r of healthy) lines.push(`  ${r.init}: ${describe(r)}`);
  } else {
    const closest = [...results].sort((a, b) => a.assessment.score - b.assessment.score)[0];
    lines.push(`None of these keeps the signal and gradients healthy through this network${closest ? `; the closest is ${closest.init}` : ''}.`);
  }
  for (const r of others) lines.push(`  not ${r.init}: ${r.assessment.problems.join('; ')}`);
  return lines;
}

function worst(values: (number | null)[]): { value: number; index: number } {
  let best = { value: -1, index: -1 };
  values.forEach((v, i) => {
    if (v !== null && v > best.value) best = { value: v, index: i };
  });
  return best;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 100 || a < 0.01 ? x.toExponential(0).replace('e+', 'e') : a >= 10 ? x.toFixed(0) : x.toFixed(2);
}

function pct(x: number): string {
  return `${Math.round(100 * x)}%`;
}

/** What a trained trial's diagnosis also looks at: whether the model has batch norm, and its epochs. */
export interface TrainedContext {
  batchNorm: boolean;
  epochs: EpochMetrics[];
}

/**
 * A trial's diagnosis in a few words, empty when nothing is wrong: symmetry first (it explains
 * everything else), then divergence, the gradients at init, dead or saturated units after training,
 * batch norm's running statistics lagging.
 */
export function diagnoseTrial(d: TrialDiagnostics, divergedAtEpoch?: number, trained?: TrainedContext): string[] {
  const out: string[] = [];
  const symmetric = symmetryProblem(d.atInit.slice(0, -1).map((l) => l.units), d.distinctUnits);
  if (symmetric) out.push(symmetric);
  if (divergedAtEpoch !== undefined) out.push(`diverged at epoch ${divergedAtEpoch}`);
  if (!symmetric) {
    const atInit = assess(d.atInit).problems.filter((p) => /gradients|signal/.test(p));
    out.push(...atInit.slice(0, 1));
  }
  const dead = worst(d.deadFraction);
  if (dead.value > THRESHOLDS.deadUnits) out.push(`dead ReLUs ${pct(dead.value)}`);
  const saturated = worst(d.saturatedFraction);
  if (saturated.value > THRESHOLDS.saturated) out.push(`saturated ${pct(saturated.value)}`);
  const lag = trained?.batchNorm ? batchNormLag(trained.epochs) : null;
  if (lag) out.push(lag);
  return out;
}

/**
 * "running statistics lag ..." when, at the end of some epoch (the worst one), the training
 * examples scored far better with batch statistics (the epoch's training steps) than with batch
 * norm's running ones (the same examples evaluated as the test set); null otherwise, or without
 * the inference-mode figure (results recorded before it existed).
 */
export function batchNormLag(epochs: EpochMetrics[]): string | null {
  const gap = (e: EpochMetrics) => (e.trainEvalAccuracy !== undefined && Number.isFinite(e.trainEvalAccuracy) ? e.trainAccuracy - e.trainEvalAccuracy : -Infinity);
  const worst = epochs.reduce<EpochMetrics | null>((w, e) => (w === null || gap(e) > gap(w) ? e : w), null);
  if (!worst || !(gap(worst) > THRESHOLDS.batchNormLag)) return null;
  return `batch norm's running statistics lag (epoch ${worst.epoch}: training examples ${pct(worst.trainAccuracy)} with batch statistics, ${pct(worst.trainEvalAccuracy!)} with the running ones; test ${pct(worst.testAccuracy)}): weigh new batches more (model.batchNormMomentum 0.9 = PyTorch's default momentum 0.1) or recompute them (train.recomputeBatchNormStats)`;
}
/** "symmetric: 1 distinct unit/layer" when some hidden layer has too few distinct units. */
function symmetryProblem(widths: number[], distinct?: number[]): string | null {
  const few = (distinct ?? []).filter((n, i) => n < Math.max(2, THRESHOLDS.symmetric * widths[i]));
  if (!few.length) return null;
  const most = Math.max(...few);
  return `symmetric: ${most === 1 ? '1 distinct unit' : `<= ${most} distinct units`}/layer`;
}
