/**
 * The tfjs type every layer works with, and two helpers around it. A leaf: imports types only,
 * so that select.ts (which starts a backend) and the kernels it registers do not import each other.
 */
export type Tf = typeof import('@tensorflow/tfjs-core');

/** tf.tidy for callers that return plain values (numbers, nulls, objects of them). */
export function tidyValue<T>(tf: Tf, fn: () => T): T {
  let out: T | undefined;
  tf.tidy(() => {
    out = fn();
  });
  return out as T;
}

/**
 * Runs `fn` with console.warn/error silenced: tfjs logs backend-init failures and slowness notices
 * itself; init-bench reports what matters its own way.
 */
export async function withoutConsoleNoise<T>(fn: () => Promise<T>): Promise<T> {
  const { warn, error } = console;
  console.warn = () => {};
  console.error = () => {};
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.error = error;
  }
}
