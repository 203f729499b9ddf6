import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { TreeEntry } from '../tree.js';
import { LayerEntry } from './tar.js';

/**
 * The image's Python environment: a virtual environment at /app/venv written by hand
 * (pyvenv.cfg + interpreter links), so it works the same on Debian's python3 and on the
 * official images' /usr/local Python, and stays apart from the base's own packages.
 */
export const VENV = 'app/venv';
export const VENV_PYTHON = `/${VENV}/bin/python`;

export function sitePackages(version: string): string {
  return `${VENV}/lib/python${version}/site-packages`;
}

/** pyvenv.cfg and the interpreter links (the venv's skeleton, in the dependencies layer). */
export function venvSkeleton(executable: string, version: string): LayerEntry[] {
  const cfg = [
    `home = ${path.posix.dirname(executable)}`,
    'include-system-site-packages = false',
    `version = ${version}`,
    `executable = ${executable}`,
    ''
  ].join('\n');
  return [
    { path: `${VENV}/pyvenv.cfg`, type: 'file', mode: 0o644, data: Buffer.from(cfg) },
    { path: `${VENV}/bin/python`, type: 'symlink', mode: 0o777, linkname: executable },
    { path: `${VENV}/bin/python3`, type: 'symlink', mode: 0o777, linkname: 'python' },
    { path: `${VENV}/bin/python${version}`, type: 'symlink', mode: 0o777, linkname: 'python' }
  ];
}

/** A launcher pip wrote, pointed at the image's interpreter instead of the build machine's. */
export function rewriteLauncher(content: Buffer): Buffer | null {
  const text = content.toString('utf8');
  if (!text.startsWith('#!')) return null;
  const lines = text.split('\n');
  // pip's long-path form: "#!/bin/sh" then "'''exec' ... " then "' '''".
  if (/^#!\/bin\/sh/.test(lines[0]) && lines[1]?.startsWith("'''exec'")) {
    const end = lines.findIndex((l, i) => i > 1 && l.startsWith("' '''"));
    return Buffer.from([`#!${VENV_PYTHON}`, ...lines.slice(end + 1)].join('\n'));
  }
  if (!/python/.test(lines[0])) return null;
  return Buffer.from([`#!${VENV_PYTHON}`, ...lines.slice(1)].join('\n'));
}

function recordHash(data: Buffer): string {
  return 'sha256=' + createHash('sha256').update(data).digest('base64url');
}

/**
 * Layer entries for a `pip install --target` tree: packages under site-packages, launchers
 * under the venv's bin (rewritten, and their RECORD rows updated to the new content).
 */
export async function layerEntries(
  walked: TreeEntry[],
  version: string
): Promise<{ entries: LayerEntry[]; scripts: string[] }> {
  const site = sitePackages(version);
  const entries: LayerEntry[] = [];
  const rewritten = new Map<string, Buffer>();
  const scripts: string[] = [];
  for (const e of walked) {
    const inBin = e.path === 'bin' || e.path.startsWith('bin/');
    const dest = inBin ? `${VENV}/${e.path}` : `${site}/${e.path}`;
    if (e.type === 'dir') entries.push({ path: dest, type: 'dir', mode: 0o755 });
    else if (e.type === 'symlink')
      entries.push({ path: dest, type: 'symlink', mode: 0o777, linkname: e.linkname });
    else if (inBin) {
      const data = await fs.readFile(e.abs);
      const launcher = rewriteLauncher(data) ?? data;
      if (launcher !== data) rewritten.set(path.posix.basename(e.path), launcher);
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
        const m = /^(\.\.\/\.\.\/bin\/([^,]+)),[^,]*,[^,]*$/.exec(row);
        const data = m ? rewritten.get(m[2]) : undefined;
        if (!m || !data) return row;
        changed = true;
        return `${m[1]},${recordHash(data)},${data.length}`;
      });
      if (changed) {
        e.data = Buffer.from(out.join('\n'));
        delete e.source;
      }
    }
  }
  return { entries, scripts };
}
