import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Saved with every entry: per wheel, its digest and what building it cost. */
export const ENTRY_META = 'albatross-cache.json';

export interface EntryMeta {
  version: 1;
  wheels: Record<string, { sha256: string; buildSeconds: number }>;
  /** Every dependency wheel of that run's wheelhouse, when all of them are in the entry. */
  resolved?: string[];
}

export async function readMeta(dir: string): Promise<EntryMeta | undefined> {
  try {
    const m = JSON.parse(await fs.readFile(path.join(dir, ENTRY_META), 'utf8')) as EntryMeta;
    return m && typeof m.wheels === 'object' && m.wheels ? m : undefined;
  } catch {
    return undefined;
  }
}

export async function writeMeta(dir: string, meta: EntryMeta): Promise<void> {
  const wheels = Object.fromEntries(
    Object.entries(meta.wheels).sort(([a], [b]) => (a < b ? -1 : 1))
  );
  await fs.writeFile(
    path.join(dir, ENTRY_META),
    JSON.stringify({ ...meta, wheels }, null, 2) + '\n'
  );
}
