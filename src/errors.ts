/**
 * Errors a user can cause or meet carry the exit code of the contract
 * (../shared/CONTRACT.md): 1 negative verdict, 2 bad usage/configuration, 3 nothing to do.
 * Entry points print `message` only (no stack trace unless --debug).
 */
export class AlbatrossError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad configuration or usage: names the flag, key or file (and line for parse errors). */
export class ConfigError extends AlbatrossError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** Nothing to do, e.g. no target Python satisfies requires-python. */
export class NothingToDoError extends AlbatrossError {
  constructor(message: string) {
    super(message, 3);
  }
}

/** The job ran and its verdict is negative (a build failed, an artifact is irreproducible). */
export class FailureError extends AlbatrossError {
  constructor(message: string) {
    super(message, 1);
  }
}

export const EXIT = { ok: 0, failure: 1, usage: 2, nothingToDo: 3 } as const;

export function exitCodeOf(err: unknown): number {
  return err instanceof AlbatrossError ? err.exitCode : 1;
}
