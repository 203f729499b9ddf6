import * as path from 'node:path';
import { readZipMember } from '../runtime/zipread.js';

/** `name==1.2` / `name (==1.2)` with an optional marker: one exact version, no wildcard. */
const PINNED = /^[A-Za-z0-9._-]+\s*(?:\(\s*===?\s*[^\s,*()]+\s*\)|===?\s*[^\s,*;]+)\s*(?:;.*)?$/;

export function isPinned(req: string): boolean {
  return PINNED.test(req.trim());
}

/** Requires-Dist lines of a wheel, without those that only apply to extras. */
export async function wheelRequires(file: string): Promise<string[]> {
  const meta = await readZipMember(file, (n) => /^[^/]+\.dist-info\/METADATA$/.test(n));
  return (meta?.toString('utf8') ?? '')
    .split('\n')
    .filter((l) => /^Requires-Dist:/i.test(l))
    .map((l) => l.replace(/^Requires-Dist:\s*/i, '').trim())
    .filter((r) => !/;.*\bextra\s*==/.test(r));
}

/**
 * True when pip's answer is fully determined by the cache key: every requirement, and every
 * dependency of every wheel involved, names one exact version. Then an exact hit holding the
 * whole previous resolution can stand in for running pip at all.
 */
export async function resolutionIsPinned(
  requirements: string[],
  wheels: string[]
): Promise<boolean> {
  for (const r of requirements) {
    if (r.endsWith('.whl') && path.isAbsolute(r)) continue;
    if (!isPinned(r)) return false;
  }
  for (const w of [...requirements.filter((r) => r.endsWith('.whl')), ...wheels]) {
    const reqs = await wheelRequires(w).catch(() => null);
    if (!reqs || !reqs.every(isPinned)) return false;
  }
  return true;
}
