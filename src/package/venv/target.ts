import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FailureError } from '../../errors.js';
import { commandExists, execCapture } from '../../runtime/exec.js';
import { PythonInstall, discoverPythons, findPython } from '../../runtime/python.js';
import { PackageContext, archivePython } from '../context.js';
import { baseTarget, checkBaseArch } from '../oci/image.js';
import { BasePython, inspectBase } from '../oci/inspect.js';
import { baseKey, readInspectCache, writeInspectCache } from '../oci/inspectcache.js';
import { loadBase } from '../oci/source.js';
import { CrossTarget } from '../pipinstall.js';
import { pipPlatformTags } from '../wheelname.js';

/** The interpreter a venv is built for, and the host Python that installs wheels for it. */
export interface VenvTarget {
  /** The target interpreter: path, version, platform (and its Debian package, when dpkg says). */
  py: BasePython;
  /** For messages: `the base image REF` or `the host Python PATH`. */
  where: string;
  /** The `base` option, or null for the host Python. */
  base: string | null;
  /** Resolves the dependencies and runs pip: a host Python of the target's minor version. */
  host: PythonInstall;
  /** pip's flags for the base's tags (none for the host Python: pip's own tags are its). */
  cross?: CrossTarget;
  /** The dependency wheelhouse's platform key (the image format's, for the same platform). */
  platformKey: string;
}

/** One target per packaging run: the venv and deb formats share the base's inspection. */
const memo = new WeakMap<PackageContext, Promise<VenvTarget>>();

/** The venv's target: the `base` option's Python, else the host Python. */
export function venvTarget(c: PackageContext): Promise<VenvTarget> {
  let t = memo.get(c);
  if (!t) {
    t = c.opts.base ? fromBase(c) : fromHost(c);
    memo.set(c, t);
  }
  return t;
}

export function platformKey(py: BasePython): string {
  const libc = py.libc ? `${py.libc.kind}_${py.libc.version.join('_')}` : 'unknown';
  return `linux-${py.arch}-${libc}`;
}

async function fromBase(c: PackageContext): Promise<VenvTarget> {
  const key = await baseKey(c.opts);
  let py = await readInspectCache(c.opts, key);
  if (!py) {
    // Only the base's file lists are read: no store entry, no archive prefix (images need those).
    const base = await loadBase(c.opts, path.join(c.work, 'venv-base'));
    py = await inspectBase(base);
    checkBaseArch(base, py);
    await writeInspectCache(c.opts, key, py);
  }
  const where = `the base image ${c.opts.base}`;
  const host = await findPython(py.version);
  if (!host) {
    const found = (await discoverPythons()).map((p) => p.version).join(', ') || 'none';
    throw new FailureError(
      `no Python ${py.version} on this machine to resolve and install the wheels for ${where} (CPython ${py.version}; found: ${found}); install it (e.g. actions/setup-python)`
    );
  }
  return {
    py,
    where,
    base: c.opts.base,
    host,
    cross: { pythonVersion: py.version, platforms: pipPlatformTags(baseTarget(py)) },
    platformKey: platformKey(py)
  };
}

/** What the host Python says about itself: its real path, machine and C library. */
const PROBE = [
  'import glob, os, platform, sys',
  'print(os.path.realpath(sys.executable))',
  'print(platform.machine())',
  'print(*platform.libc_ver())',
  'print(bool(glob.glob("/lib/ld-musl-*.so.1")))'
].join('\n');

/** Parses PROBE's output (pure, for tests). */
export function parseProbe(out: string, version: string): BasePython | null {
  const [executable, arch, libc, musl] = out.trim().split('\n');
  if (!executable?.startsWith('/') || !arch) return null;
  const glibc = /^glibc (\d+)\.(\d+)/.exec(libc ?? '');
  return {
    executable,
    version,
    arch,
    libc: glibc
      ? { kind: 'glibc', version: [Number(glibc[1]), Number(glibc[2])] }
      : musl === 'True'
        ? { kind: 'musl', version: [1, 2] }
        : undefined
  };
}

async function fromHost(c: PackageContext): Promise<VenvTarget> {
  if (process.platform !== 'linux')
    throw new FailureError(
      `the venv and deb formats target Linux; this host is ${process.platform} (set \`base\` to a Linux image)`
    );
  const host = await archivePython(c);
  const r = await execCapture([host.executable, '-c', PROBE], { timeoutMs: 20_000 });
  const py = r.code === 0 ? parseProbe(r.stdout, host.version) : null;
  if (!py)
    throw new FailureError(
      `the host Python ${host.executable} did not say where it lives and what it runs on: ${r.stderr.trim() || r.stdout.trim()}`
    );
  const debPackage = await dpkgOwner(py.executable);
  return {
    py: debPackage ? { ...py, debPackage } : py,
    where: `the host Python ${py.executable}`,
    base: null,
    host,
    platformKey: platformKey(py)
  };
}

/** The Debian package owning `file` on this machine (`dpkg-query -S`), if dpkg knows it. */
async function dpkgOwner(file: string): Promise<string | undefined> {
  if (!(await commandExists('dpkg-query'))) return undefined;
  // dpkg's database names /usr/bin paths; a merged-/usr host resolves /bin paths there.
  const real = await fs.realpath(file).catch(() => file);
  const r = await execCapture(['dpkg-query', '-S', real], { timeoutMs: 20_000 });
  if (r.code !== 0) return undefined;
  return parseDpkgSearch(r.stdout, real);
}

/** `pkg[:arch][, pkg2...]: /path` lines of `dpkg-query -S`: the first owner of `file`. */
export function parseDpkgSearch(out: string, file: string): string | undefined {
  for (const line of out.split('\n')) {
    if (!line.endsWith(`: ${file}`) || line.startsWith('diversion ')) continue;
    const first = line
      .slice(0, line.length - file.length - 2)
      .split(',')[0]
      .trim();
    return first.split(':')[0] || undefined;
  }
  return undefined;
}
