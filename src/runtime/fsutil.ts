import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../errors.js';

/** Writes a file atomically: a temp file in the same directory, then rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${tmpCounter++}.tmp`
  );
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
let tmpCounter = 0;

/** Moves a finished file into place atomically (copy + rename across devices). */
export async function moveAtomic(src: string, dest: string): Promise<void> {
  await fs.mkdir(path.dirname(dest), { recursive: true });
  try {
    await fs.rename(src, dest);
  } catch {
    const tmp = `${dest}.${process.pid}.${tmpCounter++}.tmp`;
    await fs.copyFile(src, tmp);
    await fs.rename(tmp, dest);
    await fs.rm(src, { force: true });
  }
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve())
      .on('error', reject);
  });
  return h.digest('hex');
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** A fresh temporary directory; removed by the returned cleanup. */
export async function tempDir(
  prefix = 'albatross-'
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Checks that OUT can be created and written; throws a readable error naming it. */
export async function ensureWritableDir(dir: string, what = 'output directory'): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    const probe = path.join(dir, `.albatross-write-probe-${process.pid}`);
    await fs.writeFile(probe, '');
    await fs.rm(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new Error(`${what} ${dir} is not writable (${code})`, { cause: e });
  }
}

/** Copies a tree, skipping names in `skip` at any depth. */
export async function copyTree(
  src: string,
  dest: string,
  skip: Set<string> = new Set()
): Promise<void> {
  await fs.cp(src, dest, {
    recursive: true,
    filter: (s) => !skip.has(path.basename(s)),
    verbatimSymlinks: true
  });
}

/** Parses a JSON file; null when it does not exist; a ConfigError naming it when it is corrupt. */
export async function readJsonIfExists<T>(file: string): Promise<T | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}
