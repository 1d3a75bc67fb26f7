/**
 * Fans of a kernel in tfjs layout (docs/science.md, "Fans"):
 *   dense [in, out]          fanIn = in,          fanOut = out
 *   conv  [kh, kw, in, out]  fanIn = kh*kw*in,    fanOut = kh*kw*out
 * Rank 1 (a bias) counts as [1, n]: fanIn 1, fanOut n. Fans are at least 1 so that formulas that
 * divide by them never divide by zero (an empty layer has nothing to initialize anyway).
 */
export interface Fans {
  fanIn: number;
  fanOut: number;
}

export function computeFans(shape: readonly number[]): Fans {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: 1, fanOut: Math.max(1, shape[0]) };
  const receptiveField = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = shape[shape.length - 2] * receptiveField;
  const fanOut = shape[shape.length - 1] * receptiveField;
  return { fanIn: Math.max(1, fanIn), fanOut: Math.max(1, fanOut) };
}

/**
 * The fans an initializer's formula uses: the request's own (`fans`, set for a bias: its layer's,
 * as PyTorch's `reset_parameters` gives a bias the fan-in of its layer) or those of its shape.
 */
export function fansOf(req: { shape: readonly number[]; fans?: Fans }): Fans {
  return req.fans ?? computeFans(req.shape);
}

export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';

export function fanFor(fans: Fans, mode: FanMode): number {
  if (mode === 'fanIn') return fans.fanIn;
  if (mode === 'fanOut') return fans.fanOut;
  return (fans.fanIn + fans.fanOut) / 2;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** [rows, cols] of a kernel seen as a matrix: rows = prod(shape[:-1]), cols = shape[-1]. */
export function matrixShape(shape: readonly number[]): [number, number] {
  const cols = shape[shape.length - 1] ?? 1;
  return [Math.max(1, sizeOf(shape) / Math.max(1, cols)), cols];
}
