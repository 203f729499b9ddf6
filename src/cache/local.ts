import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { trackTemp } from '../runtime/cleanup.js';
import { CacheOptions } from '../config/options.js';
import { cacheRoot } from '../runtime/toolenv.js';
import { CacheBackend } from './store.js';
import { copyFlat } from './files.js';

/**
 * Entries are directories `<cache root>/wheels/<key>/`. A save writes a hidden temp
 * directory and renames it into place, so a reader never sees half an entry.
 */
export class LocalBackend implements CacheBackend {
  readonly name = 'local' as const;
  readonly canOverwrite = true;
  readonly root: string;

  constructor(opts: CacheOptions) {
    this.root = path.join(cacheRoot(opts), 'wheels');
  }

  async restore(
    into: string,
    key: string,
    restoreKeys: string[]
  ): Promise<{ matchedKey: string } | undefined> {
    const names = (await fs.readdir(this.root).catch(() => [] as string[])).filter(
      (n) => !n.startsWith('.')
    );
    let match = names.includes(key) ? key : undefined;
    for (const prefix of restoreKeys) {
      if (match) break;
      const cands = names.filter((n) => n.startsWith(prefix));
      let best: { name: string; mtime: number } | undefined;
      for (const name of cands) {
        const st = await fs.stat(path.join(this.root, name)).catch(() => undefined);
        if (st && (!best || st.mtimeMs > best.mtime)) best = { name, mtime: st.mtimeMs };
      }
      match = best?.name;
    }
    if (!match) return undefined;
    await copyFlat(path.join(this.root, match), into);
    return { matchedKey: match };
  }

  async save(from: string, key: string): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
    const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
    const tmp = path.join(this.root, `.tmp-${tag}`);
    const old = path.join(this.root, `.old-${tag}`);
    const dest = path.join(this.root, key);
    const forget = [trackTemp(tmp), trackTemp(old)];
    try {
      await copyFlat(from, tmp);
      await fs.rename(dest, old).catch(() => undefined);
      await fs.rename(tmp, dest);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
      await fs.rm(old, { recursive: true, force: true });
      for (const f of forget) f();
    }
  }
}
