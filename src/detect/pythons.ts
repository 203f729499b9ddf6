import { satisfies, validRange } from '@renovatebot/pep440';
import { ConfigError } from '../errors.js';
import { byVersionAsc } from '../runtime/python.js';

/**
 * Whether some release of CPython `minor` (e.g. "3.12") satisfies `spec`. Both ends of the
 * minor series are tried so `>=3.10.2` still admits 3.10 and `<3.12` does not admit 3.12.
 */
export function allowsMinor(spec: string | null, minor: string): boolean {
  if (!spec || !spec.trim()) return true;
  return satisfies(`${minor}.0`, spec) || satisfies(`${minor}.999`, spec);
}

/**
 * The oldest CPython 3 minor `spec` admits (`>=3.10` → `3.10`): what a zipapp or PEX asks of the
 * interpreter that runs it. Null without a specifier, or when it admits no 3.x.
 */
export function minimumPython(spec: string | null): string | null {
  if (!spec || !spec.trim()) return null;
  for (let minor = 0; minor < 100; minor++)
    if (allowsMinor(spec, `3.${minor}`)) return `3.${minor}`;
  return null;
}

/** The target set intersected with requires-python, ascending. */
export function allowedPythons(
  targets: readonly string[],
  requiresPython: string | null
): string[] {
  return [...new Set(targets)].filter((v) => allowsMinor(requiresPython, v)).sort(byVersionAsc);
}

/** Throws a ConfigError naming `where` when `spec` is not a PEP 440 specifier set. */
export function checkSpecifier(spec: string, where: string): void {
  if (!validRange(spec))
    throw new ConfigError(`${where}: '${spec}' is not a valid PEP 440 version specifier`);
}
