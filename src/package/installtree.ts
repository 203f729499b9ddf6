import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { comparePaths } from './tree.js';

/**
 * What an installer leaves in a `--target` tree besides the wheels' own files differs between
 * installers (and pip versions): INSTALLER's text, uv's cache stamp and lock file, the launcher
 * template, RECORD's line endings and launcher paths. One canonical form, whoever installed:
 * INSTALLER says Albatross, launchers come from entry_points.txt through one template, RECORD
 * is sorted with CRLF rows (as pip's csv writes them) and launchers as `../../bin/NAME`.
 */
export const INSTALLER_TEXT = 'albatross\n';

/** A console/GUI script launcher (shebang `#!python`: archives drop or rewrite it). */
export function launcher(spec: string): string | null {
  const m = /^\s*([\w.]+)\s*:\s*([\w.]+)\s*(?:\[.*\])?\s*$/.exec(spec);
  if (!m) return null;
  const [, mod, attr] = m;
  return [
    '#!python',
    'import sys',
    `from ${mod} import ${attr.split('.')[0]}`,
    "if __name__ == '__main__':",
    "    if sys.argv[0].endswith('.exe'):",
    '        sys.argv[0] = sys.argv[0][:-4]',
    `    sys.exit(${attr}())`,
    ''
  ].join('\n');
}

/** console_scripts and gui_scripts of an entry_points.txt: name → `module:attr`. */
export function scriptEntryPoints(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) section = s[1].trim();
    else if (section === 'console_scripts' || section === 'gui_scripts') {
      const eq = line.indexOf('=');
      if (eq > 0) out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
    }
  }
  return out;
}

function recordHash(data: Buffer): string {
  return 'sha256=' + createHash('sha256').update(data).digest('base64url');
}

/** Rewrites a `--target` tree into the canonical form above (in place). */
export async function canonicalInstallTree(dir: string): Promise<void> {
  await fs.rm(path.join(dir, '.lock'), { force: true });
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.dist-info')).sort();
  for (const name of names) {
    const info = path.join(dir, name);
    await fs.rm(path.join(info, 'uv_cache.json'), { force: true });
    const installer = Buffer.from(INSTALLER_TEXT);
    await fs.writeFile(path.join(info, 'INSTALLER'), installer);
    const eps = await fs.readFile(path.join(info, 'entry_points.txt'), 'utf8').catch(() => '');
    const scripts = new Map<string, Buffer>();
    for (const [script, spec] of scriptEntryPoints(eps)) {
      const text = launcher(spec);
      const file = path.join(dir, 'bin', script);
      if (!text || !(await fs.stat(file).catch(() => null))) continue;
      const data = Buffer.from(text);
      await fs.writeFile(file, data, { mode: 0o755 });
      scripts.set(script, data);
    }
    const recordFile = path.join(info, 'RECORD');
    const rows = (await fs.readFile(recordFile, 'utf8')).split(/\r?\n/).filter(Boolean);
    const out: string[] = [];
    for (const row of rows) {
      const p = row.slice(0, row.indexOf(','));
      const bin = /^(?:\.\.\/\.\.\/)?bin\/([^/]+)$/.exec(p);
      if (p === `${name}/uv_cache.json`) continue;
      if (p === `${name}/INSTALLER`) out.push(`${p},${recordHash(installer)},${installer.length}`);
      else if (bin && scripts.has(bin[1])) {
        const data = scripts.get(bin[1]) as Buffer;
        out.push(`../../bin/${bin[1]},${recordHash(data)},${data.length}`);
      } else if (bin) out.push(`../../bin/${bin[1]}${row.slice(p.length)}`);
      else out.push(row);
    }
    out.sort((a, b) => comparePaths(a, b));
    await fs.writeFile(recordFile, out.map((r) => r + '\r\n').join(''));
  }
}
