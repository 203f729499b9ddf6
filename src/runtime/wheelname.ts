/**
 * Wheel file names (PEP 427, binary distribution format spec):
 * `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`. The one parser build, package
 * and cache share.
 */
export interface WheelName {
  /** The file name without its directory. */
  file: string;
  /** Normalised project name (PEP 503). */
  name: string;
  version: string;
  /** Optional build tag (starts with a digit); only present when the name has one. */
  build?: string;
  /** Compressed tag sets (`py2.py3`) split on '.'. */
  pythonTags: string[];
  abiTags: string[];
  platformTags: string[];
}

/** PEP 503: lower case, runs of `-_.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

// A project name (PEP 508) whose `-` were escaped to `_`, as every wheel name holds it; tools
// must accept upper case and `.` too. Versions are escaped PEP 440 (local `+`, epoch `!`).
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?$/;
const VERSION = /^[vV]?\d[A-Za-z0-9._+!]*$/;
const BUILD = /^\d[A-Za-z0-9._]*$/;
const TAG = /^[A-Za-z0-9_]+$/;

/** The parts of a wheel file name (a path is fine), or null when it is not one. */
export function parseWheelName(file: string): WheelName | null {
  const base = baseName(file);
  if (!base.endsWith('.whl')) return null;
  const parts = base.slice(0, -'.whl'.length).split('-');
  if (parts.length !== 5 && parts.length !== 6) return null;
  const [name, version] = parts;
  const build = parts.length === 6 ? parts[2] : undefined;
  const [pythonTags, abiTags, platformTags] = parts.slice(-3).map((set) => set.split('.'));
  if (!NAME.test(name) || !VERSION.test(version)) return null;
  if (build !== undefined && !BUILD.test(build)) return null;
  if (![...pythonTags, ...abiTags, ...platformTags].every((t) => TAG.test(t))) return null;
  return {
    file: base,
    name: normalizeName(name),
    version,
    ...(build !== undefined ? { build } : {}),
    pythonTags,
    abiTags,
    platformTags
  };
}

export function isWheelName(file: string): boolean {
  return parseWheelName(file) !== null;
}

/** Either separator: names may come from Windows paths in manifests and inputs. */
function baseName(file: string): string {
  return file.replace(/^.*[\\/]/, '');
}
