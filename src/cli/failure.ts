import { AlbatrossError, exitCodeOf } from '../errors.js';

/**
 * How the CLI reports an error: one line on stderr (the stack trace only with --debug) and,
 * under --json, `{"error": {...}}` on stdout so a script reading stdout always gets JSON.
 */
export function reportError(e: unknown, how: { debug: boolean; json: boolean }): void {
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(how.debug ? `${err.stack ?? err.message}\n` : `albatross: ${err.message}\n`);
  if (how.json) process.stdout.write(JSON.stringify(errorJson(err, how.debug), null, 2) + '\n');
}

/** `type` is the error class (ConfigError, FailureError, NothingToDoError; Error when unexpected). */
export function errorJson(
  e: Error,
  debug = false
): { error: { message: string; exitCode: number; type: string; stack?: string } } {
  return {
    error: {
      message: e.message,
      exitCode: exitCodeOf(e),
      type: e instanceof AlbatrossError ? e.name : 'Error',
      ...(debug && e.stack ? { stack: e.stack } : {})
    }
  };
}
