import { AlbatrossError, FailureError } from '../errors.js';

/** errno codes in words, for messages a person reads. */
const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENAMETOOLONG: 'name too long',
  EEXIST: 'already exists',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  ENOENT: 'does not exist',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EXDEV: 'crosses file systems',
  EBUSY: 'busy',
  ENOTEMPTY: 'directory not empty'
};

/** The errno code of an error from node:fs and friends, if it is one. */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** `no space left on device (ENOSPC)`; the error's own message when it has no errno code. */
export function reasonOf(e: unknown): string {
  const code = errnoOf(e);
  if (!code) return e instanceof Error ? e.message : String(e);
  return `${REASONS[code] ?? (e as Error).message.replace(/^E[A-Z0-9]+: /, '').replace(/, .*$/, '')} (${code})`;
}

/** An OS error during a step, naming the step and the path: exit 1, one readable line. */
export class OsStepError extends FailureError {
  constructor(
    readonly step: string,
    readonly file: string,
    readonly code: string | undefined,
    cause: unknown
  ) {
    super(`could not ${step} ${file}: ${reasonOf(cause)}`);
    this.cause = cause;
  }
}

/**
 * Wraps an errno error as an OsStepError (`step` is a verb phrase: "write the wheel");
 * other errors pass through untouched.
 */
export function osStepError(e: unknown, step: string, file: string): unknown {
  if (e instanceof OsStepError || !errnoOf(e)) return e;
  return new OsStepError(step, file, errnoOf(e), e);
}

/** Runs `fn`, turning an errno error into an OsStepError naming `step` and `file`. */
export async function osStep<T>(step: string, file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw osStepError(e, step, file);
  }
}

/**
 * The last line of defence: an errno error nobody wrapped still reaches the user as one line
 * naming its system call and path (when node gave one), never as `ENOSPC: ..., write`.
 */
export function describeUnwrapped(e: unknown): unknown {
  const code = errnoOf(e);
  if (!code || e instanceof AlbatrossError) return e;
  const err = e as NodeJS.ErrnoException & { dest?: string };
  const verb = VERBS[err.syscall ?? ''] ?? err.syscall ?? 'access';
  const where = err.path ? `${err.path}${err.dest ? ` to ${err.dest}` : ''}` : '(a file)';
  return new OsStepError(verb, where, code, e);
}

const VERBS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the directory',
  mkdtemp: 'create a temporary directory in',
  rename: 'move',
  copyfile: 'copy',
  unlink: 'remove',
  rmdir: 'remove',
  rm: 'remove',
  scandir: 'list',
  stat: 'read',
  lstat: 'read',
  access: 'access',
  symlink: 'create the link',
  chmod: 'change the mode of',
  utime: 'set the times of'
};
