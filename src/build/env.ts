import { Options } from '../config/options.js';
import { childEnv } from '../runtime/childenv.js';
import { pipEnv } from '../runtime/pip.js';
import { BuildEnvironment } from './types.js';

/** How every build process is started: its environment and an argv wrapper. */
export interface ProcessSetup {
  env: NodeJS.ProcessEnv;
  /** Withheld variables the build may see all the same (`pass-env`). */
  passEnv: readonly string[];
  /** Wraps argv: the caller's wrapper, then a fixed umask (argv passed through "$@", never parsed). */
  wrap(argv: string[]): string[];
}

export const PINNED = { tz: 'UTC', locale: 'C.UTF-8', umask: 0o022 } as const;

/** Compiler flags that map the build directory out of compiled code (__FILE__, DWARF). */
export function prefixMapFlags(buildDir: string): string {
  return `-ffile-prefix-map=${buildDir}=. -fdebug-prefix-map=${buildDir}=.`;
}

/**
 * The environment of a build step run in `buildDir`. Normal builds pin TZ, locale and umask and
 * map `buildDir` out of compiled code; a sensitivity pass (`benv.releasePins`) uses the given
 * values instead and maps nothing. SOURCE_DATE_EPOCH, PYTHONHASHSEED and the index options are
 * always set; the runner's secrets never are (runtime/childenv.ts), unless `pass-env` names them.
 */
export function processSetup(
  opts: Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex' | 'passEnv'>,
  sde: number,
  buildDir: string | null,
  benv: BuildEnvironment = {},
  base: NodeJS.ProcessEnv = process.env
): ProcessSetup {
  const env: NodeJS.ProcessEnv = {
    ...childEnv(base, opts.passEnv),
    ...(benv.extraEnv ?? {}),
    ...pipEnv(opts)
  };
  env.SOURCE_DATE_EPOCH = String(sde);
  env.PYTHONHASHSEED = '0';
  const pins = benv.releasePins ?? PINNED;
  env.TZ = pins.tz;
  env.LC_ALL = pins.locale;
  env.LANG = pins.locale;
  if (!benv.releasePins && buildDir) {
    const flags = prefixMapFlags(buildDir);
    env.CFLAGS = [env.CFLAGS, flags].filter(Boolean).join(' ');
    env.CXXFLAGS = [env.CXXFLAGS, flags].filter(Boolean).join(' ');
  }
  const umask = (pins.umask & 0o777).toString(8).padStart(3, '0');
  const wrapper = benv.wrapper ?? [];
  return {
    env,
    passEnv: opts.passEnv,
    wrap: (argv) => [...wrapper, '/bin/sh', '-c', `umask ${umask}; exec "$@"`, 'sh', ...argv]
  };
}
