import { WheelName } from '../runtime/wheelname.js';

// The parser lives in runtime (build and cache share it); existing imports from here keep working.
export type { WheelName } from '../runtime/wheelname.js';
export { normalizeName, parseWheelName } from '../runtime/wheelname.js';

/** Pure wheels run anywhere: abi `none`, platform `any`. */
export function isPureWheel(w: WheelName): boolean {
  return w.platformTags.every((p) => p === 'any') && w.abiTags.every((a) => a === 'none');
}

/** A target interpreter and platform an artifact is assembled for. */
export interface Target {
  /** "3.11". */
  python: string;
  /** `linux` for images; the machine architecture as in wheel tags: x86_64, aarch64 ... */
  arch?: string;
  /** C library of the target: glibc (with version, e.g. [2, 36]) or musl. */
  libc?: { kind: 'glibc'; version: [number, number] } | { kind: 'musl'; version: [number, number] };
  /** Explicit platform tag (zipapp-platform): only `any` and this are allowed. */
  platformTag?: string;
}

/** Why a wheel does not fit the target, or null when it fits. */
export function wheelMismatch(w: WheelName, t: Target): string | null {
  const [maj, min] = t.python.split('.').map((x) => parseInt(x, 10));
  const pyOk = w.pythonTags.some((p) => {
    if (p === `py${maj}` || p === 'py2.py3' || p === `py${maj}${min}`) return true;
    const m = /^cp(\d)(\d+)$/.exec(p);
    if (!m || parseInt(m[1], 10) !== maj) return false;
    const wmin = parseInt(m[2], 10);
    // abi3 wheels run on their version and later; other cpXY wheels only on X.Y.
    return w.abiTags.includes('abi3') ? wmin <= min : wmin === min;
  });
  if (!pyOk) return `built for ${w.pythonTags.join('.')}, not CPython ${t.python}`;
  if (w.platformTags.every((p) => p === 'any')) return null;
  if (t.platformTag !== undefined) {
    return w.platformTags.includes(t.platformTag)
      ? null
      : `platform ${w.platformTags.join('.')} is not ${t.platformTag}`;
  }
  if (!t.arch) return `platform ${w.platformTags.join('.')} needs a target platform`;
  for (const p of w.platformTags) if (platformFits(p, t)) return null;
  const libc = t.libc ? `${t.libc.kind} ${t.libc.version.join('.')}` : 'unknown libc';
  return `platform ${w.platformTags.join('.')} does not run on linux/${t.arch} (${libc})`;
}

function platformFits(tag: string, t: Target): boolean {
  const legacy: Record<string, [number, number]> = {
    manylinux1: [2, 5],
    manylinux2010: [2, 12],
    manylinux2014: [2, 17]
  };
  let m = /^(manylinux1|manylinux2010|manylinux2014)_(.+)$/.exec(tag);
  if (m) return m[2] === t.arch && glibcAtLeast(t, legacy[m[1]]);
  m = /^manylinux_(\d+)_(\d+)_(.+)$/.exec(tag);
  if (m) return m[3] === t.arch && glibcAtLeast(t, [parseInt(m[1], 10), parseInt(m[2], 10)]);
  m = /^musllinux_(\d+)_(\d+)_(.+)$/.exec(tag);
  if (m) {
    if (m[3] !== t.arch || t.libc?.kind !== 'musl') return false;
    return cmp(t.libc.version, [parseInt(m[1], 10), parseInt(m[2], 10)]) >= 0;
  }
  m = /^linux_(.+)$/.exec(tag);
  if (m) return m[1] === t.arch;
  return false;
}

function glibcAtLeast(t: Target, need: [number, number]): boolean {
  return t.libc?.kind === 'glibc' && cmp(t.libc.version, need) >= 0;
}

function cmp(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** Platform tags pip should accept for a linux target (newest first), for `--platform`. */
export function pipPlatformTags(t: Target): string[] {
  if (!t.arch) return [];
  const tags: string[] = [];
  if (t.libc?.kind === 'musl') {
    for (let m = t.libc.version[1]; m >= 1; m--)
      tags.push(`musllinux_${t.libc.version[0]}_${m}_${t.arch}`);
  } else if (t.libc?.kind === 'glibc') {
    const [maj, min] = t.libc.version;
    for (let m = min; m >= 5; m--) tags.push(`manylinux_${maj}_${m}_${t.arch}`);
    if (min >= 17) tags.push(`manylinux2014_${t.arch}`);
    if (min >= 12 && ['x86_64', 'i686'].includes(t.arch)) tags.push(`manylinux2010_${t.arch}`);
    if (['x86_64', 'i686'].includes(t.arch)) tags.push(`manylinux1_${t.arch}`);
  }
  tags.push(`linux_${t.arch}`);
  return tags;
}
