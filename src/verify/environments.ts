import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PINNED } from '../build/env.js';
import { BuildEnvironment } from '../build/types.js';
import { CLOCK_SHIFT_DAYS, Capabilities, REBUILD_HOST } from './capabilities.js';
import { SideEnv, Variation } from './model.js';

/** UTC+12:45/+13:45: an offset no one mistakes for another. */
export const VARIED_TZ = 'Pacific/Chatham';
export const VARIED_UMASK = 0o077;
export const REBUILD_USER = 'albatross-rebuild';

/** A locale other than the pinned C.UTF-8: French when installed (decimal comma), else plain C. */
export function variedLocale(locales: string[]): string {
  const fr = locales.find((l) => /^fr_FR\.utf-?8$/i.test(l));
  return fr ? 'fr_FR.UTF-8' : 'C';
}

export interface Side {
  label: 'first' | 'second' | 'sensitivity';
  outDir: string;
  env: BuildEnvironment;
  info: SideEnv;
}

export interface VariationPlan {
  a: Side;
  b: Side;
  c: Side | null;
  variations: Variation[];
}

/**
 * Lays out the three builds under `root`: A the normal path; B the normal path from another
 * directory (different path and depth), HOME, user, hostname, CPU count and clock; C with the
 * environment pins released and a build directory that is not the canonical one.
 */
export async function planVariations(
  root: string,
  caps: Capabilities,
  sensitivity: boolean
): Promise<VariationPlan> {
  const clock = Math.floor(Date.now() / 1000);
  const here = thisMachine();
  const dirs = await makeBuildDirs(root);
  const carried = await carryHomeConfig(here.home, dirs.bHome);
  const bClock = caps.faketime ? clock + CLOCK_SHIFT_DAYS * 86400 : clock;
  const wrapped = [
    hostnameVariation(caps, here.host),
    cpuVariation(caps),
    clockVariation(caps, clock, bClock)
  ];
  const wrapper = wrapped.flatMap((w) => w.wrapper);
  const c = sensitivity ? sensitivitySide(root, dirs.cRoot, here, caps, clock) : null;
  return {
    a: firstSide(root, dirs.aRoot, here, clock),
    b: secondSide(root, dirs, here, caps, wrapper, bClock),
    c: c?.side ?? null,
    variations: [
      ...identityVariations(dirs, here, carried),
      ...wrapped.map((w) => w.variation),
      ...(c?.variations ?? [])
    ]
  };
}

/** Who and where the normal build runs. */
interface Machine {
  home: string;
  user: string;
  host: string;
}

function thisMachine(): Machine {
  return {
    home: process.env.HOME ?? os.homedir(),
    user: process.env.USER ?? os.userInfo().username,
    host: os.hostname()
  };
}

interface BuildDirs {
  aRoot: string;
  bRoot: string;
  bHome: string;
  cRoot: string;
}

async function makeBuildDirs(root: string): Promise<BuildDirs> {
  const dirs = {
    aRoot: path.join(root, 'a', 'w'),
    bRoot: path.join(root, 'rebuild', 'second', 'nested', 'deeper', 'w'),
    bHome: path.join(root, 'home-rebuild'),
    cRoot: path.join(root, 'sensitivity', 'not-canonical.d', 'build.dir')
  };
  for (const d of Object.values(dirs)) await fs.mkdir(d, { recursive: true });
  return dirs;
}

/** A factor build B varies (`second`), or one this machine cannot vary (`second` null). */
function verdict(name: string, first: string, second: string | null, note?: string): Variation {
  return second === null
    ? { name, pass: 'verdict', applied: false, first, note }
    : { name, pass: 'verdict', applied: true, first, second, note };
}

/** A factor build C varies. */
function sensitive(name: string, first: string, second: string, note?: string): Variation {
  return { name, pass: 'sensitivity', applied: true, first, second, note };
}

/** What B changes by its environment alone: build path, HOME, user. */
function identityVariations(dirs: BuildDirs, here: Machine, carried: string[]): Variation[] {
  return [
    verdict('build path', dirs.aRoot, dirs.bRoot, 'different path and depth'),
    verdict(
      'HOME',
      here.home,
      dirs.bHome,
      carried.length
        ? `carried over: ${carried.join(', ')} (index configuration, not build input)`
        : undefined
    ),
    verdict('user', here.user, REBUILD_USER, 'USER and LOGNAME (uid unchanged)')
  ];
}

/** A factor B varies through an argv prefix, when this machine allows it. */
interface Wrapped {
  wrapper: string[];
  variation: Variation;
}

function hostnameVariation(caps: Capabilities, host: string): Wrapped {
  if (!caps.uts)
    return {
      wrapper: [],
      variation: verdict(
        'hostname',
        host,
        null,
        'unavailable: neither unshare --uts nor unshare -r --uts is permitted here'
      )
    };
  return {
    // A fixed script; the hostname and the build's argv arrive as arguments, never parsed.
    wrapper: [...caps.uts, '--', '/bin/sh', '-c', 'hostname "$0" && exec "$@"', REBUILD_HOST],
    variation: verdict('hostname', host, REBUILD_HOST, caps.uts.join(' '))
  };
}

function cpuVariation(caps: Capabilities): Wrapped {
  const cpus = String(caps.cpus);
  if (!(caps.taskset && caps.cpus > 1))
    return {
      wrapper: [],
      variation: verdict(
        'CPU count',
        cpus,
        null,
        caps.taskset ? 'unavailable: one CPU only' : 'unavailable: taskset not installed'
      )
    };
  return {
    wrapper: ['taskset', '-c', '0'],
    variation: verdict('CPU count', cpus, '1', 'taskset -c 0 (affinity), OMP_NUM_THREADS=1')
  };
}

function clockVariation(caps: Capabilities, clock: number, shifted: number): Wrapped {
  if (!caps.faketime)
    return {
      wrapper: [],
      variation: verdict(
        'clock',
        iso(clock),
        null,
        'unavailable: faketime not installed (builds run concurrently at the real time)'
      )
    };
  return {
    wrapper: ['faketime', '-f', `+${CLOCK_SHIFT_DAYS}d`],
    variation: verdict('clock', iso(clock), iso(shifted), `faketime +${CLOCK_SHIFT_DAYS}d`)
  };
}

function firstSide(root: string, aRoot: string, here: Machine, clock: number): Side {
  return {
    label: 'first',
    outDir: path.join(root, 'out-a'),
    env: { workRoot: aRoot },
    info: {
      label: 'first',
      workRoot: aRoot,
      home: here.home,
      user: here.user,
      hostname: here.host,
      ...PINNED,
      clock
    }
  };
}

function secondSide(
  root: string,
  dirs: BuildDirs,
  here: Machine,
  caps: Capabilities,
  wrapper: string[],
  clock: number
): Side {
  return {
    label: 'second',
    outDir: path.join(root, 'out-b'),
    env: {
      workRoot: dirs.bRoot,
      rebuild: true,
      extraEnv: {
        HOME: dirs.bHome,
        USER: REBUILD_USER,
        LOGNAME: REBUILD_USER,
        // pip's download cache is keyed by content; sharing it changes no output, only time.
        ...(process.env.PIP_CACHE_DIR || process.env.XDG_CACHE_HOME
          ? {}
          : { PIP_CACHE_DIR: path.join(here.home, '.cache', 'pip') }),
        ...(wrapper.includes('taskset') ? { OMP_NUM_THREADS: '1' } : {})
      },
      wrapper: wrapper.length ? wrapper : undefined
    },
    info: {
      label: 'second',
      workRoot: dirs.bRoot,
      home: dirs.bHome,
      user: REBUILD_USER,
      hostname: caps.uts ? REBUILD_HOST : here.host,
      ...PINNED,
      clock
    }
  };
}

/** Build C: the pins released (time zone, locale, umask) and the build path left unmapped. */
function sensitivitySide(
  root: string,
  cRoot: string,
  here: Machine,
  caps: Capabilities,
  clock: number
): { side: Side; variations: Variation[] } {
  const locale = variedLocale(caps.locales);
  const pins = { tz: VARIED_TZ, locale, umask: VARIED_UMASK };
  const side: Side = {
    label: 'sensitivity',
    outDir: path.join(root, 'out-c'),
    env: { workRoot: cRoot, releasePins: pins, rebuild: true },
    info: {
      label: 'sensitivity',
      workRoot: cRoot,
      home: here.home,
      user: here.user,
      hostname: here.host,
      ...pins,
      clock
    }
  };
  const variations = [
    sensitive('time zone', PINNED.tz, VARIED_TZ),
    sensitive(
      'locale',
      PINNED.locale,
      locale,
      locale === 'C'
        ? 'no other UTF-8 locale installed (locale -a); fr_FR.UTF-8 preferred'
        : undefined
    ),
    sensitive('umask', octal(PINNED.umask), octal(VARIED_UMASK)),
    sensitive('build path mapping', 'mapped', cRoot, 'not mapped, not canonical')
  ];
  return { side, variations };
}

/**
 * Files under HOME that say where packages come from (index URLs, credentials). Without them a
 * build with another HOME could not install its build requirements at all.
 */
const HOME_CONFIG = [
  '.config/pip/pip.conf',
  '.pip/pip.conf',
  '.netrc',
  '.pypirc',
  '.config/uv/uv.toml'
];

async function carryHomeConfig(from: string, to: string): Promise<string[]> {
  const done: string[] = [];
  for (const rel of HOME_CONFIG) {
    try {
      await fs.mkdir(path.dirname(path.join(to, rel)), { recursive: true });
      await fs.copyFile(path.join(from, rel), path.join(to, rel));
      done.push(`~/${rel}`);
    } catch {
      /* absent */
    }
  }
  return done;
}

const iso = (s: number): string => new Date(s * 1000).toISOString();
const octal = (n: number): string => '0' + n.toString(8).padStart(3, '0');
