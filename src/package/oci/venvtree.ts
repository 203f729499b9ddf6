import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { TreeEntry } from '../tree.js';
import { parentDirs } from './layer.js';
import { LayerEntry } from './tar.js';

/**
 * A virtual environment written by hand (pyvenv.cfg + interpreter links + a `pip install
 * --target` tree laid out under it), so it works the same on Debian's python3 and on the
 * official images' /usr/local Python and needs no Python run on the target. The image's lives
 * at /app/venv; the venv and deb formats put one at their install prefix. `root` is the venv's
 * path relative to `/`, without a leading slash.
 */
export const VENV = 'app/venv';
export const VENV_PYTHON = `/${VENV}/bin/python`;

export function sitePackages(version: string, root = VENV): string {
  return `${root}/lib/python${version}/site-packages`;
}

/** pyvenv.cfg and the interpreter links (the venv's skeleton). */
export function venvSkeleton(executable: string, version: string, root = VENV): LayerEntry[] {
  const cfg = [
    `home = ${path.posix.dirname(executable)}`,
    'include-system-site-packages = false',
    `version = ${version}`,
    `executable = ${executable}`,
    ''
  ].join('\n');
  return [
    { path: `${root}/pyvenv.cfg`, type: 'file', mode: 0o644, data: Buffer.from(cfg) },
    { path: `${root}/bin/python`, type: 'symlink', mode: 0o777, linkname: executable },
    { path: `${root}/bin/python3`, type: 'symlink', mode: 0o777, linkname: 'python' },
    { path: `${root}/bin/python${version}`, type: 'symlink', mode: 0o777, linkname: 'python' }
  ];
}

/** Directory entries down to the venv's bin and site-packages (and every parent). */
export function venvDirs(version: string, root = VENV): LayerEntry[] {
  return [...parentDirs(sitePackages(version, root)), ...parentDirs(`${root}/bin`)];
}

/** A launcher pip wrote, pointed at `python` (the venv's) instead of the build machine's. */
export function rewriteLauncher(content: Buffer, python = VENV_PYTHON): Buffer | null {
  const text = content.toString('utf8');
  if (!text.startsWith('#!')) return null;
  const lines = text.split('\n');
  // pip's long-path form: "#!/bin/sh" then "'''exec' ... " then "' '''".
  if (/^#!\/bin\/sh/.test(lines[0]) && lines[1]?.startsWith("'''exec'")) {
    const end = lines.findIndex((l, i) => i > 1 && l.startsWith("' '''"));
    return Buffer.from([`#!${python}`, ...lines.slice(end + 1)].join('\n'));
  }
  if (!/python/.test(lines[0])) return null;
  return Buffer.from([`#!${python}`, ...lines.slice(1)].join('\n'));
}

function recordHash(data: Buffer): string {
  return 'sha256=' + createHash('sha256').update(data).digest('base64url');
}

/**
 * Entries for a `pip install --target` tree laid out as the venv at `root`: packages under
 * site-packages, launchers under the venv's bin (rewritten to `/<root>/bin/python`). RECORD
 * rows of launchers are written as a venv's are (`../../../bin/NAME`, from site-packages) with
 * the new content's hash.
 */
export async function layerEntries(
  walked: TreeEntry[],
  version: string,
  root = VENV
): Promise<{ entries: LayerEntry[]; scripts: string[] }> {
  const site = sitePackages(version, root);
  const python = `/${root}/bin/python`;
  const entries: LayerEntry[] = [];
  const rewritten = new Map<string, Buffer>();
  const scripts: string[] = [];
  for (const e of walked) {
    const inBin = e.path === 'bin' || e.path.startsWith('bin/');
    const dest = inBin ? `${root}/${e.path}` : `${site}/${e.path}`;
    if (e.type === 'dir') entries.push({ path: dest, type: 'dir', mode: 0o755 });
    else if (e.type === 'symlink')
      entries.push({ path: dest, type: 'symlink', mode: 0o777, linkname: e.linkname });
    else if (inBin) {
      const data = await fs.readFile(e.abs);
      const launcher = rewriteLauncher(data, python) ?? data;
      rewritten.set(path.posix.basename(e.path), launcher);
      scripts.push(path.posix.basename(e.path));
      entries.push({ path: dest, type: 'file', mode: 0o755, data: launcher });
    } else entries.push({ path: dest, type: 'file', mode: e.mode, source: e.abs });
  }
  if (rewritten.size) {
    for (const e of entries) {
      if (!e.path.endsWith('.dist-info/RECORD') || !e.source) continue;
      const rows = (await fs.readFile(e.source, 'utf8')).split('\n');
      let changed = false;
      const out = rows.map((row) => {
        // The tree's form (installtree.ts): `../../bin/NAME`, relative to a --target root.
        const m = /^\.\.\/\.\.\/bin\/([^,]+),[^,]*,[^,\r]*(\r?)$/.exec(row);
        const data = m ? rewritten.get(m[1]) : undefined;
        if (!m || !data) return row;
        changed = true;
        return `../../../bin/${m[1]},${recordHash(data)},${data.length}${m[2]}`;
      });
      if (changed) {
        e.data = Buffer.from(out.join('\n'));
        delete e.source;
      }
    }
  }
  return { entries, scripts };
}
