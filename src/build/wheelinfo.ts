import * as path from 'node:path';
import { parseWheelName } from '../runtime/wheelname.js';
import { readZip } from './normalize/archive.js';

/** A wheel's tag sets as the manifest records them (compressed: `py2.py3`). */
export interface WheelTags {
  pythonTag: string;
  abiTag: string;
  platformTag: string;
}

/** Tags of a wheel a backend just produced: a name that is not a wheel's is a bug there. */
export function wheelTags(file: string): WheelTags {
  const w = parseWheelName(file);
  if (!w) throw new Error(`not a wheel file name: ${path.basename(file)}`);
  return {
    pythonTag: w.pythonTags.join('.'),
    abiTag: w.abiTags.join('.'),
    platformTag: w.platformTags.join('.')
  };
}

export interface WheelContents {
  /** Importable top-level modules and packages the wheel installs. */
  topLevel: string[];
  /** console_scripts names. */
  consoleScripts: string[];
  /** Requires-Dist lines of METADATA. */
  requires: string[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Top-level import names from member paths (purelib/platlib data directories included). */
export function topLevelNames(members: string[]): string[] {
  const names = new Set<string>();
  for (const raw of members) {
    let m = raw;
    const data = /^[^/]+\.data\/(purelib|platlib)\/(.+)$/.exec(m);
    if (data) m = data[2];
    else if (/^[^/]+\.(dist-info|data)\//.test(m)) continue;
    const first = m.split('/')[0];
    const name = m.includes('/')
      ? first
      : /\.(py|pyc|so|pyd)$/.test(first)
        ? first.split('.')[0]
        : '';
    if (IDENT.test(name)) names.add(name);
  }
  return [...names].sort();
}

/** Parses one section of an INI-style entry_points.txt. */
export function entryPointSection(text: string, section: string): Record<string, string> {
  const out: Record<string, string> = {};
  let current = '';
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(t);
    if (sec) current = sec[1].trim();
    else if (current === section) {
      const eq = t.indexOf('=');
      if (eq > 0) out[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
    }
  }
  return out;
}

export async function wheelContents(file: string): Promise<WheelContents> {
  const members = await readZip(file);
  const find = (suffix: string): string => {
    const m = members.find((x) => new RegExp(`^[^/]+\\.dist-info/${suffix}$`).test(x.name));
    return m ? m.data.toString('utf8') : '';
  };
  const metadata = find('METADATA');
  const requires = [...metadata.split(/\r?\n\r?\n/)[0].matchAll(/^Requires-Dist:\s*(.+)$/gm)].map(
    (m) => m[1].trim()
  );
  return {
    topLevel: topLevelNames(members.filter((m) => m.type === 'file').map((m) => m.name)),
    consoleScripts: Object.keys(
      entryPointSection(find('entry_points\\.txt'), 'console_scripts')
    ).sort(),
    requires
  };
}
