import type { Options } from '../../config/options.js';
import { ConfigError } from '../../errors.js';
import { debFormat } from './deb.js';
import { imageFormat } from './image.js';
import { pexFormat } from './pex.js';
import { PackageFormat } from './types.js';
import { venvFormat } from './venv.js';
import { zipappFormat } from './zipapp.js';

export type { PackageFormat } from './types.js';

/** Every package format, in the order a run packages them. The one list of formats. */
export const FORMATS: readonly PackageFormat[] = [
  zipappFormat,
  pexFormat,
  imageFormat,
  venvFormat,
  debFormat
];

export const FORMAT_NAMES: readonly string[] = FORMATS.map((f) => f.name);

/** Manifest kinds in report order: sdist and wheels first, then the formats'. */
export const KIND_ORDER: readonly string[] = ['sdist', 'wheel', ...FORMATS.map((f) => f.kind)];

/** The format named `name`; a ConfigError naming the option and the known formats otherwise. */
export function formatNamed(name: string): PackageFormat {
  const f = FORMATS.find((x) => x.name === name);
  if (!f)
    throw new ConfigError(
      `format: unknown format '${name}' (expected one of ${FORMAT_NAMES.join(', ')})`
    );
  return f;
}

/**
 * The formats to package: the `format` option (validated, in its order), else, for a project with a console
 * script (or an `entry-point`), those the registry picks by default.
 */
export function resolveFormats(opts: Options, hasConsoleScripts: boolean): PackageFormat[] {
  const requested = [
    ...new Set(
      opts.format
        .flatMap((f) => f.split(','))
        .map((f) => f.trim().toLowerCase())
        .filter(Boolean)
    )
  ];
  let picked: PackageFormat[];
  if (requested.length) {
    picked = requested.map(formatNamed);
  } else if (hasConsoleScripts || opts.entryPoint) {
    picked = FORMATS.filter((f) => f.byDefault(opts));
  } else {
    picked = [];
  }
  for (const f of picked) f.check?.(opts, { hasConsoleScripts });
  return picked;
}
