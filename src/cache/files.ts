import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Plain files directly in `dir` (entries are flat), sorted; [] when it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const ents = await fs.readdir(dir, { withFileTypes: true });
    return ents
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Copies the flat files of `from` into `to` (created). */
export async function copyFlat(from: string, to: string): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  for (const f of await listFiles(from)) await fs.copyFile(path.join(from, f), path.join(to, f));
}

export async function totalSize(dir: string, files?: string[]): Promise<number> {
  let n = 0;
  for (const f of files ?? (await listFiles(dir))) n += (await fs.stat(path.join(dir, f))).size;
  return n;
}
