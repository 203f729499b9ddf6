import { rmSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The one registry of what a run must undo however it ends: temporary directories and files,
 * child process groups, and sessions that live outside the process (build containers).
 * Normal paths release their entries themselves; the `exit` hook and the SIGINT/SIGTERM
 * handlers ({@link installSignalCleanup}) undo whatever is left. A kill -9 cannot be caught.
 */
const temps = new Set<string>();
const groups = new Set<number>();
const closers = new Set<() => Promise<unknown>>();
let exitHooked = false;

/** Registers a temporary path (file or directory); the returned function forgets it again. */
export function trackTemp(p: string): () => void {
  hookExit();
  temps.add(p);
  return () => temps.delete(p);
}

/** A fresh directory under the system temp dir, registered; `cleanup` removes it. */
export async function makeTempDir(
  prefix = 'albatross-'
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  const forget = trackTemp(dir);
  return {
    dir,
    cleanup: async () => {
      await fs.rm(dir, { recursive: true, force: true });
      forget();
    }
  };
}

/** Registers a child that leads its own process group (spawned detached). */
export function trackGroup(pid: number): () => void {
  hookExit();
  groups.add(pid);
  return () => groups.delete(pid);
}

/** Sends `signal` to a process group; false when it is already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Registers something to close when the run is interrupted (e.g. removing a build container). */
export function onInterrupt(close: () => Promise<unknown>): () => void {
  closers.add(close);
  return () => closers.delete(close);
}

/** What is registered now (tests and the interrupt message). */
export function pending(): { temps: string[]; groups: number[]; closers: number } {
  return { temps: [...temps], groups: [...groups], closers: closers.size };
}

function removeTempsSync(): number {
  let n = 0;
  for (const p of temps) {
    try {
      rmSync(p, { recursive: true, force: true });
      n++;
    } catch {
      // Best effort on the way out: nothing else can be done about it here.
    }
  }
  temps.clear();
  return n;
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // The backstop for every exit path: process.exit, an uncaught error, the end of the event loop.
  process.on('exit', () => {
    for (const pid of groups) killGroup(pid, 'SIGKILL');
    removeTempsSync();
  });
}

const GRACE_MS = 3000;
const CLOSE_MS = 20000;

/**
 * Stops everything registered: child groups get SIGTERM (SIGKILL after a grace period),
 * closers run (bounded), then temporary paths are removed. Returns what was done.
 */
export async function interruptCleanup(): Promise<{ groups: number; temps: number }> {
  const stopped = [...groups].filter((pid) => killGroup(pid, 'SIGTERM')).length;
  const closing = Promise.allSettled([...closers].map((c) => c()));
  closers.clear();
  await Promise.race([closing, sleep(CLOSE_MS)]);
  const deadline = Date.now() + GRACE_MS;
  while ([...groups].some((pid) => killGroup(pid, 0)) && Date.now() < deadline) await sleep(50);
  for (const pid of groups) killGroup(pid, 'SIGKILL');
  groups.clear();
  return { groups: stopped, temps: removeTempsSync() };
}

let installed = false;

/**
 * Entry points call this once: SIGINT, SIGTERM and SIGHUP stop child groups and build containers,
 * remove temporary paths, and exit with 128 + the signal number. A second signal exits at once.
 */
export function installSignalCleanup(say: (line: string) => void): void {
  if (installed) return;
  installed = true;
  hookExit();
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    const code = 128 + (os.constants.signals[signal] ?? 15);
    if (stopping) process.exit(code);
    stopping = true;
    void interruptCleanup().then(
      (done) => {
        say(
          `albatross: interrupted (${signal}); stopped ${done.groups} process group${done.groups === 1 ? '' : 's'}, removed ${done.temps} temporary path${done.temps === 1 ? '' : 's'}`
        );
        process.exit(code);
      },
      () => process.exit(code)
    );
  };
  // SIGHUP too: children run in their own sessions, so a closed terminal no longer reaches them.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, handler);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
