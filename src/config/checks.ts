import { splitArgs } from '../runtime/splitargs.js';

/**
 * Value checks of single options, run when a layer is applied (config/resolve.ts), so a bad
 * value is exit 2 naming its flag, input or key before any work. Each returns the problem in
 * words, or null when the value is fine. Paths are checked later, by commands/preflight.ts.
 */
export type ValueCheck = (value: never) => string | null;

/** `name` or `uid[:gid]`, as the image's `User` (and `docker run --user`) take it. */
export const USER_PATTERN = /^([a-z_][a-z0-9_-]*|\d+)(:([a-z_][a-z0-9_-]*|\d+))?$/;

/** 2107-12-31T23:59:59Z: the latest time a zip archive can hold. */
export const LATEST_ZIP_TIME = 4354819199;

export const nonEmpty: ValueCheck = (v: string) => (v.trim() === '' ? 'must not be empty' : null);

export const pythonMinors: ValueCheck = (v: string[]) => {
  const bad = v.find((x) => !/^\d+\.\d+$/.test(x.trim()));
  return bad === undefined ? null : `'${bad}' is not a CPython minor version like 3.12`;
};

export const commandLine: ValueCheck = (v: string) => {
  try {
    splitArgs(v);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
};

/** The URL scheme of an index option's value, lower case; undefined for a local path. */
export function schemeOf(v: string): string | undefined {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(v.trim())?.[1]?.toLowerCase();
  return scheme && scheme.length > 1 ? scheme : undefined; // `C:` is a Windows drive
}

/** pip's index options: http(s) or file URLs, or a local directory (checked by preflight). */
const urlOrPath = (v: string): string | null => {
  const scheme = schemeOf(v);
  if (scheme === undefined) return null;
  if (!['http', 'https', 'file'].includes(scheme))
    return `'${v}' is not an http(s):// or file:// URL nor a directory`;
  try {
    new URL(v.trim());
    return null;
  } catch {
    return `'${v}' is not a valid URL`;
  }
};
export const indexUrl: ValueCheck = (v: string) => (v === '' ? null : urlOrPath(v));
export const indexUrls: ValueCheck = (v: string[]) =>
  v.map(urlOrPath).find((p) => p !== null) ?? null;

export const sourceDateEpoch: ValueCheck = (v: number | null) =>
  v !== null && v > LATEST_ZIP_TIME
    ? `${v} is after 2107-12-31, the latest time a zip archive can hold`
    : null;

export const user: ValueCheck = (v: string) =>
  v === '' || USER_PATTERN.test(v) ? null : `'${v}' is not a user name or uid[:gid]`;

export const shebang: ValueCheck = (v: string) =>
  v.trim() === '' ? 'must name an interpreter' : /[\r\n]/.test(v) ? 'must be one line' : null;

/** A wheel platform tag (PEP 425: lower-case letters, digits and `_`), or empty for none. */
export const platformTag: ValueCheck = (v: string) =>
  v === '' || /^[a-z0-9_]+$/.test(v)
    ? null
    : `'${v}' is not a wheel platform tag (like manylinux_2_28_x86_64)`;
