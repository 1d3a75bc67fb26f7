/**
 * Two kinds of error, one handler (src/cli.ts).
 *
 * A UserError is the user's to fix (bad config, unknown initializer, missing file): the CLI
 * prints its message alone, no stack, and exits 2. Anything else is a bug in init-bench and is
 * printed with its stack, exit 1.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}

/** Several problems found at once (config validation): reported together, one per line. */
export function userErrors(problems: string[], heading = 'invalid configuration'): UserError {
  if (problems.length === 1) return new UserError(`${heading}: ${problems[0]}`);
  return new UserError(`${heading} (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** Raised when the user interrupts a run (SIGINT/SIGTERM); the CLI exits 130. */
export class Interrupted extends Error {
  /** What was finished when the interruption came (set by the experiment runner). */
  partial?: unknown;
  /** True when the run stopped itself at a failed trial (--fail-fast), not on a signal. */
  failFast = false;

  constructor(signal: string) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
  }
}
