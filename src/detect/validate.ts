import { valid } from '@renovatebot/pep440';
import { ConfigError } from '../errors.js';
import { normalizeName } from '../runtime/wheelname.js';

/** PEP 508 / core metadata: ASCII letters and digits, with `.`, `_`, `-` inside. */
const NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** The longest file name a POSIX file system (and macOS) allows, in bytes. */
export const NAME_MAX = 255;

/** The longest wheel tag Albatross writes (a native CPython wheel for a manylinux platform). */
const LONGEST_WHEEL_TAGS = '-cp314-cp314t-manylinux_2_28_aarch64.whl';

/** The name as it appears in sdist and wheel file names (PEP 491, PEP 625). */
export function fileNameOf(name: string): string {
  return normalizeName(name).replace(/-/g, '_');
}

/**
 * Checks the project's name and version before anything is built: a name PEP 508 rejects, a
 * version PEP 440 rejects, or a name so long that its wheel file name cannot exist on disk
 * is exit 2 naming `where` (the file that declares them).
 */
export function checkProjectMetadata(
  meta: { name: string; version: string | null; native: boolean },
  where: string
): void {
  if (!NAME.test(meta.name))
    throw new ConfigError(
      `${where}: project name ${JSON.stringify(meta.name)} is not a valid name (PEP 508: ASCII letters and digits, with '.', '_' or '-' only between them)`
    );
  if (meta.version !== null && !valid(meta.version))
    throw new ConfigError(
      `${where}: version ${JSON.stringify(meta.version)} is not a valid PEP 440 version`
    );
  const wheel = `${fileNameOf(meta.name)}-${meta.version ?? '0'}${meta.native ? LONGEST_WHEEL_TAGS : '-py3-none-any.whl'}`;
  const bytes = Buffer.byteLength(wheel);
  if (bytes > NAME_MAX)
    throw new ConfigError(
      `${where}: project name is ${meta.name.length} characters long: its wheel file name would be ${bytes} bytes, more than the ${NAME_MAX} a file name can have`
    );
}

/** PEP 621 fields of [project] must have their types; a wrong one is not silently dropped. */
export function checkPep621Types(p: Record<string, unknown>, file: string): void {
  const expect = (key: string, ok: (v: unknown) => boolean, want: string): void => {
    if (p[key] !== undefined && !ok(p[key]))
      throw new ConfigError(
        `${file}: [project] ${key} must be ${want}, got ${JSON.stringify(p[key])}`
      );
  };
  const isStr = (v: unknown): boolean => typeof v === 'string';
  const isStrList = (v: unknown): boolean => Array.isArray(v) && v.every(isStr);
  const isTable = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isStrTable = (v: unknown): boolean => isTable(v) && Object.values(v as object).every(isStr);
  expect('name', isStr, 'a string');
  expect('version', isStr, 'a string');
  expect('requires-python', isStr, 'a string');
  expect('dependencies', isStrList, 'an array of strings');
  expect('dynamic', isStrList, 'an array of strings');
  expect('scripts', isStrTable, 'a table of strings');
  expect('gui-scripts', isStrTable, 'a table of strings');
  expect(
    'entry-points',
    (v) => isTable(v) && Object.values(v as object).every(isStrTable),
    'a table of tables of strings'
  );
  expect(
    'optional-dependencies',
    (v) => isTable(v) && Object.values(v as object).every(isStrList),
    'a table of arrays of strings'
  );
}
