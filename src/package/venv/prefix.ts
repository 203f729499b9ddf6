import { normalizeName } from '../../runtime/wheelname.js';

/**
 * The install prefix of a venv (`prefix` option): where it is built and where it runs, so
 * nothing is relocated. Pure, so config validation can use it.
 */

/** Directories a venv must never be: its bin/ and lib/ would land among the system's. */
const SYSTEM_DIRS = new Set([
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib64',
  '/media',
  '/mnt',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/usr/bin',
  '/usr/lib',
  '/usr/local',
  '/usr/local/bin',
  '/usr/local/lib',
  '/usr/sbin',
  '/usr/share',
  '/var'
]);

/** Linux reads 127 bytes of a `#!` line on older kernels: `#!<prefix>/bin/python` must fit. */
export const MAX_PREFIX = 127 - '#!'.length - '/bin/python'.length;

/** Why `prefix` cannot be a venv's install directory, or null ('' is the default). */
export function prefixProblem(prefix: string): string | null {
  if (prefix === '') return null;
  if (!prefix.startsWith('/'))
    return `'${prefix}' is not an absolute path (the directory the venv is installed at, e.g. /opt/app)`;
  if (!/^[A-Za-z0-9._+/-]+$/.test(prefix))
    return `'${prefix}' may hold only letters, digits and . _ + - / (it becomes a #! line)`;
  const parts = prefix.slice(1).split('/');
  if (prefix.endsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..'))
    return `'${prefix}' is not a normalised path (no trailing /, //, . or ..)`;
  if (SYSTEM_DIRS.has(prefix))
    return `'${prefix}' is a system directory; give the venv a directory of its own (e.g. /opt/app)`;
  if (prefix.length > MAX_PREFIX)
    return `'${prefix}' is longer than ${MAX_PREFIX} characters: #!${prefix}/bin/python would not fit a #! line`;
  return null;
}

/** The prefix: the option, else `/opt/<name>` (the project name, PEP 503-normalised). */
export function venvPrefix(option: string, projectName: string): string {
  return option || `/opt/${normalizeName(projectName)}`;
}
