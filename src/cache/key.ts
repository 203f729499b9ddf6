import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { IndexOptions, Options } from '../config/options.js';
import { sha256 } from '../runtime/fsutil.js';
import { pipIndexArgs } from '../runtime/pip.js';
import { cpTag } from '../runtime/python.js';
import { readZipMember } from '../runtime/zipread.js';

/** Bump when the entry layout or key inputs change: every older entry stops matching. */
export const CACHE_FORMAT_VERSION = 1;

export interface CacheKey {
  key: string;
  /** Prefix fallbacks, most specific first: without the hash, then without the python tag. */
  restoreKeys: string[];
}

export interface KeyInput {
  opts: IndexOptions & Pick<Options, 'cacheAllWheels'>;
  pythonVersion: string;
  platformKey: string;
  requirements: string[];
  keyFiles?: string[];
  /** Defaults to this process's os/arch. */
  os?: string;
  arch?: string;
}

/** Keys may not contain commas (GitHub) nor path separators (local dirs): keep a safe set. */
export function keyPart(s: string): string {
  return s.replace(/[^A-Za-z0-9._+-]+/g, '_') || 'none';
}

/** `albatross-v<N>-<os>-<arch>-<platform>-<python tag>-<hash>` plus its restore keys. */
export async function cacheKey(input: KeyInput): Promise<CacheKey> {
  const hash = await inputsHash(input);
  const base = [
    'albatross',
    `v${CACHE_FORMAT_VERSION}`,
    keyPart(input.os ?? process.platform),
    keyPart(input.arch ?? process.arch),
    keyPart(input.platformKey)
  ].join('-');
  const withPython = `${base}-${cpTag(input.pythonVersion)}`;
  return { key: `${withPython}-${hash}`, restoreKeys: [`${withPython}-`, `${base}-`] };
}

/** Hash of everything that decides which wheels get resolved. */
export async function inputsHash(input: KeyInput): Promise<string> {
  const reqs = await Promise.all(input.requirements.map(requirementFingerprint));
  const files = await Promise.all((input.keyFiles ?? []).map((f) => fileFingerprint(f)));
  const doc = JSON.stringify({
    requirements: reqs.sort(),
    files: files.sort(),
    index: pipIndexArgs(input.opts),
    all: input.opts.cacheAllWheels
  });
  return sha256(doc).slice(0, 20);
}

async function fileFingerprint(file: string): Promise<string> {
  try {
    return sha256(await fs.readFile(file));
  } catch {
    return `missing:${path.basename(file)}`;
  }
}

/**
 * Local paths change every run (temp dirs), so they are replaced by what they contribute to
 * the resolution: a wheel's name and Requires-Dist, a source tree's metadata files.
 */
export async function requirementFingerprint(req: string): Promise<string> {
  const r = req.trim();
  const stat = await fs.stat(r).catch(() => undefined);
  if (!stat) return r;
  if (stat.isFile() && r.endsWith('.whl')) {
    const meta = await readZipMember(r, (n) => /^[^/]+\.dist-info\/METADATA$/.test(n)).catch(
      () => undefined
    );
    const requires = (meta?.toString('utf8') ?? '')
      .split('\n')
      .filter((l) => /^Requires-(Dist|Python):/i.test(l))
      .map((l) => l.trim())
      .sort();
    return `wheel:${path.basename(r).split('-')[0]}:${sha256(requires.join('\n'))}`;
  }
  if (stat.isDirectory()) {
    const parts: string[] = [];
    for (const name of ['pyproject.toml', 'setup.cfg', 'setup.py', 'requirements.txt']) {
      const f = await fs.readFile(path.join(r, name)).catch(() => undefined);
      if (f) parts.push(`${name}:${sha256(f)}`);
    }
    return `dir:${parts.join(',')}`;
  }
  return `file:${await fileFingerprint(r)}`;
}
