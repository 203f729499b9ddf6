import type { Options } from '../../config/options.js';
import { ArtifactEntry, ArtifactKind } from '../../manifest/model.js';
import { PackageContext } from '../context.js';

/**
 * One package format: what config, verify, report, the docs and the Action outputs need to know
 * about it, and how it runs. A new format is one module like this plus its line in the registry.
 */
export interface PackageFormat {
  /** The `format` option's value. */
  name: string;
  /** The manifest entry's kind. */
  kind: ArtifactKind;
  /** One line for the docs and `--help`. */
  summary: string;
  /** The options it reads besides the common ones (entry-point, python, index options). */
  options: readonly (keyof Options)[];
  /** Checks the options it reads (and the project's shape) before any work: a ConfigError. */
  check?(opts: Options, project?: { hasConsoleScripts: boolean }): void;
  /** Picked when no `format` is given, for a project with a console script. */
  byDefault(opts: Options): boolean;
  /** Action outputs taken from its entry: name → description and value (empty without an entry). */
  outputs?: Record<
    string,
    { description: string; value(entry: ArtifactEntry | undefined): string }
  >;
  /** What the report's platform column says of its entry (default: `any`). */
  platform?(entry: ArtifactEntry): string | undefined;
  /** What the report's Python column says of its entry (default: the Python it was built with). */
  python?(entry: ArtifactEntry): string | undefined;
  /** Builds the artifact into OUT and returns its entry (without `target`). */
  run(c: PackageContext): Promise<ArtifactEntry>;
}

/** `min 3.10` from the entry's `minPython` detail, else the Python it was built for. */
export function minPythonCell(e: ArtifactEntry): string | undefined {
  const min = e.details?.minPython;
  return typeof min === 'string' ? `min ${min}` : e.python;
}
