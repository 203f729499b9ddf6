import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FailureError } from '../errors.js';

/** A lock older than this whose owner cannot be asked (another host) is taken over. */
const STALE_MS = 10 * 60_000;
const chains = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` holding an exclusive lock on `lockFile` across processes (an O_EXCL file holding
 * the owner's pid and host). A lock whose owner process is gone is taken over; callers in one
 * process queue in order without polling.
 */
export function withFileLock<T>(
  lockFile: string,
  fn: () => Promise<T>,
  timeoutMs = 120_000
): Promise<T> {
  const prev = chains.get(lockFile) ?? Promise.resolve();
  const run = prev.then(async () => {
    await acquire(lockFile, timeoutMs);
    try {
      return await fn();
    } finally {
      await fs.rm(lockFile, { force: true });
    }
  });
  const settled = run.catch(() => undefined);
  chains.set(lockFile, settled);
  void settled.then(() => {
    if (chains.get(lockFile) === settled) chains.delete(lockFile);
  });
  return run;
}

async function acquire(lockFile: string, timeoutMs: number): Promise<void> {
  await fs.mkdir(path.dirname(lockFile), { recursive: true });
  const owner = `${process.pid} ${os.hostname()}\n`;
  const deadline = Date.now() + timeoutMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    try {
      await fs.writeFile(lockFile, owner, { flag: 'wx' });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new FailureError(
          `cannot create the lock ${lockFile} (${(e as NodeJS.ErrnoException).code ?? String(e)})`
        );
      }
    }
    if (await isStale(lockFile)) {
      await fs.rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      const holder = (await fs.readFile(lockFile, 'utf8').catch(() => '?')).trim();
      throw new FailureError(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the lock ${lockFile} (held by ${holder}); remove it if no albatross process is running`
      );
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** True when the lock's owner is a process of this host that no longer runs, or it is very old. */
async function isStale(lockFile: string): Promise<boolean> {
  let text: string;
  let mtime: number;
  try {
    [text, mtime] = await Promise.all([
      fs.readFile(lockFile, 'utf8'),
      fs.stat(lockFile).then((s) => s.mtimeMs)
    ]);
  } catch {
    return false; // released meanwhile: the next attempt takes it
  }
  const [pid, host] = text.trim().split(' ');
  if (!pid) return Date.now() - mtime > 1000; // a writer died between create and write
  if (host === os.hostname()) {
    try {
      process.kill(Number(pid), 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  return Date.now() - mtime > STALE_MS;
}
