import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BuildEnvironment } from '../build/index.js';
import { execCapture } from '../runtime/exec.js';
import { SideEnv, Variation } from './model.js';

/** The pinned values of a normal build (kept in step with the build stage's pins). */
export const NORMAL = { tz: 'UTC', locale: 'C.UTF-8', umask: 0o022 };
/** UTC+12:45/+13:45: an offset no one mistakes for another. */
export const VARIED_TZ = 'Pacific/Chatham';
export const VARIED_UMASK = 0o077;
export const REBUILD_USER = 'albatross-rebuild';
export const REBUILD_HOST = 'albatross-rebuild-host';
/** Build B's clock runs this far ahead under faketime. */
export const CLOCK_SHIFT_DAYS = 397;

/** What this machine lets us vary; probed once per verify. */
export interface Capabilities {
  /** How to get a private hostname: `unshare --uts` (root), `unshare -r --uts` (user namespace), or not at all. */
  uts: string[] | null;
  faketime: boolean;
  taskset: boolean;
  cpus: number;
  locales: string[];
}

async function ok(argv: string[], expect?: (out: string) => boolean): Promise<boolean> {
  try {
    const r = await execCapture(argv, { timeoutMs: 10000 });
    return r.code === 0 && (!expect || expect(r.stdout));
  } catch {
    return false;
  }
}

export async function probeCapabilities(): Promise<Capabilities> {
  const now = Math.floor(Date.now() / 1000);
  const utsWorks = (prefix: string[]): Promise<boolean> =>
    ok(
      [...prefix, '--', '/bin/sh', '-c', 'hostname "$0" && hostname', REBUILD_HOST],
      (o) => o.trim() === REBUILD_HOST
    );
  const [utsRoot, utsUser, faketime, taskset, locales] = await Promise.all([
    utsWorks(['unshare', '--uts']),
    utsWorks(['unshare', '-r', '--uts']),
    ok(
      ['faketime', '-f', `+${CLOCK_SHIFT_DAYS}d`, 'date', '+%s'],
      (o) => Number(o.trim()) > now + (CLOCK_SHIFT_DAYS - 1) * 86400
    ),
    ok(['taskset', '-c', '0', 'true']),
    execCapture(['locale', '-a'], { timeoutMs: 10000 })
      .then((r) =>
        r.code === 0
          ? r.stdout
              .split('\n')
              .map((l) => l.trim())
              .filter(Boolean)
          : []
      )
      .catch(() => [] as string[])
  ]);
  const uts = utsRoot ? ['unshare', '--uts'] : utsUser ? ['unshare', '-r', '--uts'] : null;
  return { uts, faketime, taskset, cpus: os.availableParallelism(), locales };
}

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
  const home = process.env.HOME ?? os.homedir();
  const user = process.env.USER ?? os.userInfo().username;
  const host = os.hostname();
  const aRoot = path.join(root, 'a', 'w');
  const bRoot = path.join(root, 'rebuild', 'second', 'nested', 'deeper', 'w');
  const bHome = path.join(root, 'home-rebuild');
  const cRoot = path.join(root, 'sensitivity', 'not-canonical.d', 'build.dir');
  for (const d of [aRoot, bRoot, bHome, cRoot]) await fs.mkdir(d, { recursive: true });
  const variations: Variation[] = [];
  const v = (x: Variation): void => {
    variations.push(x);
  };
  v({
    name: 'build path',
    pass: 'verdict',
    applied: true,
    first: aRoot,
    second: bRoot,
    note: 'different path and depth'
  });
  const carried = await carryHomeConfig(home, bHome);
  v({
    name: 'HOME',
    pass: 'verdict',
    applied: true,
    first: home,
    second: bHome,
    note: carried.length
      ? `carried over: ${carried.join(', ')} (index configuration, not build input)`
      : undefined
  });
  v({
    name: 'user',
    pass: 'verdict',
    applied: true,
    first: user,
    second: REBUILD_USER,
    note: 'USER and LOGNAME (uid unchanged)'
  });
  const wrapper: string[] = [];
  if (caps.uts) {
    // A fixed script; the hostname and the build's argv arrive as arguments, never parsed.
    wrapper.push(...caps.uts, '--', '/bin/sh', '-c', 'hostname "$0" && exec "$@"', REBUILD_HOST);
    v({
      name: 'hostname',
      pass: 'verdict',
      applied: true,
      first: host,
      second: REBUILD_HOST,
      note: caps.uts.join(' ')
    });
  } else {
    v({
      name: 'hostname',
      pass: 'verdict',
      applied: false,
      first: host,
      note: 'unavailable: neither unshare --uts nor unshare -r --uts is permitted here'
    });
  }
  if (caps.taskset && caps.cpus > 1) {
    wrapper.push('taskset', '-c', '0');
    v({
      name: 'CPU count',
      pass: 'verdict',
      applied: true,
      first: String(caps.cpus),
      second: '1',
      note: 'taskset -c 0 (affinity), OMP_NUM_THREADS=1'
    });
  } else {
    v({
      name: 'CPU count',
      pass: 'verdict',
      applied: false,
      first: String(caps.cpus),
      note: caps.taskset ? 'unavailable: one CPU only' : 'unavailable: taskset not installed'
    });
  }
  let bClock = clock;
  if (caps.faketime) {
    wrapper.push('faketime', '-f', `+${CLOCK_SHIFT_DAYS}d`);
    bClock = clock + CLOCK_SHIFT_DAYS * 86400;
    v({
      name: 'clock',
      pass: 'verdict',
      applied: true,
      first: iso(clock),
      second: iso(bClock),
      note: `faketime +${CLOCK_SHIFT_DAYS}d`
    });
  } else {
    v({
      name: 'clock',
      pass: 'verdict',
      applied: false,
      first: iso(clock),
      note: 'unavailable: faketime not installed (builds run concurrently at the real time)'
    });
  }
  const a: Side = {
    label: 'first',
    outDir: path.join(root, 'out-a'),
    env: { workRoot: aRoot },
    info: { label: 'first', workRoot: aRoot, home, user, hostname: host, ...NORMAL, clock }
  };
  const b: Side = {
    label: 'second',
    outDir: path.join(root, 'out-b'),
    env: {
      workRoot: bRoot,
      extraEnv: {
        HOME: bHome,
        USER: REBUILD_USER,
        LOGNAME: REBUILD_USER,
        // pip's download cache is keyed by content; sharing it changes no output, only time.
        ...(process.env.PIP_CACHE_DIR || process.env.XDG_CACHE_HOME
          ? {}
          : { PIP_CACHE_DIR: path.join(home, '.cache', 'pip') }),
        ...(wrapper.includes('taskset') ? { OMP_NUM_THREADS: '1' } : {})
      },
      wrapper: wrapper.length ? wrapper : undefined
    },
    info: {
      label: 'second',
      workRoot: bRoot,
      home: bHome,
      user: REBUILD_USER,
      hostname: caps.uts ? REBUILD_HOST : host,
      ...NORMAL,
      clock: bClock
    }
  };
  let c: Side | null = null;
  if (sensitivity) {
    const locale = variedLocale(caps.locales);
    const pins = { tz: VARIED_TZ, locale, umask: VARIED_UMASK };
    c = {
      label: 'sensitivity',
      outDir: path.join(root, 'out-c'),
      env: { workRoot: cRoot, releasePins: pins },
      info: { label: 'sensitivity', workRoot: cRoot, home, user, hostname: host, ...pins, clock }
    };
    v({
      name: 'time zone',
      pass: 'sensitivity',
      applied: true,
      first: NORMAL.tz,
      second: VARIED_TZ
    });
    v({
      name: 'locale',
      pass: 'sensitivity',
      applied: true,
      first: NORMAL.locale,
      second: locale,
      note:
        locale === 'C'
          ? 'no other UTF-8 locale installed (locale -a); fr_FR.UTF-8 preferred'
          : undefined
    });
    v({
      name: 'umask',
      pass: 'sensitivity',
      applied: true,
      first: octal(NORMAL.umask),
      second: octal(VARIED_UMASK)
    });
    v({
      name: 'build path mapping',
      pass: 'sensitivity',
      applied: true,
      first: 'mapped',
      second: cRoot,
      note: 'not mapped, not canonical'
    });
  }
  return { a, b, c, variations };
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
