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
export class ConfigError extends UserError {
  constructor(readonly problems: string[], heading = 'invalid configuration') {
    super(problems.length === 1 ? `${heading}: ${problems[0]}` : `${heading} (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A file-system error in words ("permission denied"), not its code. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: 'no such file or folder',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a folder, not a file',
    ENOTDIR: 'a part of the path is a file, not a folder',
    ENAMETOOLONG: 'the name is too long',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EEXIST: 'it already exists',
  };
  return (code && words[code]) ?? (err instanceof Error ? err.message : String(err));
}

/** Raised inside a trial when its run is aborted (SIGINT/SIGTERM); the scheduler turns it into `stopped: interrupted`. */
export class Interrupted extends Error {
  constructor(signal: string) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
  }
}
