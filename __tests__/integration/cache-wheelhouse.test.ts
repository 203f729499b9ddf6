import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prepareWheelhouse, WheelhouseResult } from '../../src/cache/index.js';
import { Options } from '../../src/config/options.js';
import { PythonInstall } from '../../src/runtime/python.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { testOptions } from '../helpers/env.js';
import {
  APP_FIXTURE,
  COUNTER_VAR,
  buildCdepSdist,
  buildCount,
  buildPython
} from '../helpers/services/cache-fixture.js';

/**
 * The fixture application depends on albacore-cdep, which exists only as an sdist with a C
 * extension (in a find-links folder). Its setup.py counts its own builds: assertions are on
 * that count, never on time.
 */
describe('dependency wheel cache, local backend (real pip, real compiler)', () => {
  let work: string;
  let findLinks: string;
  let python: PythonInstall;
  let app: string;
  let counter: string;
  let n = 0;

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-cache-'));
    findLinks = path.join(work, 'find-links');
    await buildCdepSdist(findLinks, work);
    const py = await buildPython();
    if (!py) throw new Error('no CPython found');
    python = py;
    // A copy: pip builds local trees in place.
    app = path.join(work, 'app');
    await fs.cp(APP_FIXTURE, app, { recursive: true });
    counter = path.join(work, 'builds.txt');
  }, 120_000);

  afterAll(async () => {
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  const options = (cacheDir: string, extra: Partial<Options> = {}): Options => {
    const o = testOptions({ cacheDir, ...extra });
    return { ...o, findLinks: [...o.findLinks, findLinks] };
  };

  const run = async (
    opts: Options,
    requirements: string[],
    env: NodeJS.ProcessEnv = {}
  ): Promise<WheelhouseResult & { log: string[] }> => {
    const log = memoryLogger();
    const r = await prepareWheelhouse({
      opts,
      log,
      python,
      requirements,
      platformKey: 'linux_x86_64',
      dest: path.join(work, `wheelhouse-${++n}`),
      env: { ...cleanEnv(), [COUNTER_VAR]: counter, ...env }
    });
    return { ...r, log: log.lines };
  };

  it('first run compiles the sdist and saves it; second run restores it and compiles nothing', async () => {
    const cacheDir = path.join(work, 'cache-a');
    const before = await buildCount(counter);
    const cold = await run(options(cacheDir), [app]);
    expect((await buildCount(counter)) - before).toBe(1);
    expect(cold.report).toMatchObject({
      backend: 'local',
      hit: 'miss',
      saved: true,
      wheelsBuilt: 1,
      wheelsReused: 0
    });
    expect(cold.report.key).toMatch(
      new RegExp(
        `^albatross-v\\d+-${process.platform}-${process.arch}-linux_x86_64-cp${python.version.replace('.', '')}-[0-9a-f]+$`
      )
    );
    expect(cold.report.bytesSaved).toBeGreaterThan(0);
    const wheels = await fs.readdir(cold.dir);
    expect(wheels.some((w) => /^albacore_cdep-1\.0\.0-cp\d+-cp\d+-linux_\w+\.whl$/.test(w))).toBe(
      true
    );
    expect(wheels.some((w) => w.startsWith('cache_app-'))).toBe(true);
    // Only the wheel built from an sdist is cached, not the application's own wheel.
    const entry = path.join(cacheDir, 'wheels', cold.report.key);
    expect((await fs.readdir(entry)).filter((f) => f.endsWith('.whl'))).toEqual([
      wheels.find((w) => w.startsWith('albacore_cdep-'))
    ]);

    const warm = await run(options(cacheDir), [app]);
    expect((await buildCount(counter)) - before).toBe(1);
    expect(warm.report).toMatchObject({
      hit: 'exact',
      saved: false,
      saveSkipped: 'exact hit',
      wheelsBuilt: 0,
      wheelsReused: 1,
      warnings: []
    });
    expect(warm.report.bytesRestored).toBe(cold.report.bytesSaved);
    expect(warm.report.secondsSaved).toBeGreaterThan(0);
    expect((await fs.readdir(warm.dir)).sort()).toEqual(wheels.sort());
    expect(warm.resolvedFromCache).toBeFalsy(); // a source tree requirement: pip must run

    // A changed input (index options) misses the exact key but falls back by prefix.
    const other = await run(
      options(cacheDir, {
        extraIndexUrl: [...testOptions().extraIndexUrl, 'file:///nonexistent/simple']
      }),
      ['albacore-cdep==1.0.0']
    );
    expect((await buildCount(counter)) - before).toBe(1);
    expect(other.report).toMatchObject({
      hit: 'partial',
      restoredKey: cold.report.key,
      wheelsReused: 1,
      wheelsBuilt: 0,
      saved: true
    });
  });

  it('a corrupted entry is dropped with a warning, rebuilt and replaced, never installed', async () => {
    const cacheDir = path.join(work, 'cache-b');
    const before = await buildCount(counter);
    const cold = await run(options(cacheDir), ['albacore-cdep==1.0.0']);
    expect(cold.report.saved).toBe(true);
    const entry = path.join(cacheDir, 'wheels', cold.report.key);
    const whl = (await fs.readdir(entry)).find((f) => f.endsWith('.whl')) as string;
    const bytes = await fs.readFile(path.join(entry, whl));
    bytes.fill(0x41, 40, 400); // scribble over the first member's data
    await fs.writeFile(path.join(entry, whl), bytes);

    const again = await run(options(cacheDir), ['albacore-cdep==1.0.0']);
    expect((await buildCount(counter)) - before).toBe(2);
    expect(again.report).toMatchObject({
      hit: 'exact',
      wheelsBuilt: 1,
      wheelsReused: 0,
      saved: true
    });
    expect(again.report.warnings.join('\n')).toMatch(
      new RegExp(`dropping cached ${whl.replace(/[.+]/g, '\\$&')}`)
    );
    expect(again.log.some((l) => l.startsWith('warning: dropping cached'))).toBe(true);
    // The wheel in the wheelhouse is the fresh, sound build, not the scribbled one.
    expect((await fs.readFile(path.join(again.dir, whl))).equals(bytes)).toBe(false);

    const healed = await run(options(cacheDir), ['albacore-cdep==1.0.0']);
    expect((await buildCount(counter)) - before).toBe(2);
    expect(healed.report).toMatchObject({
      hit: 'exact',
      wheelsReused: 1,
      wheelsBuilt: 0,
      warnings: []
    });
    // Everything is pinned and the entry holds the whole resolution: pip is not even run.
    expect(healed.resolvedFromCache).toBe(true);
    expect((await fs.readdir(healed.dir)).sort()).toEqual((await fs.readdir(again.dir)).sort());
  });

  it('an unwritable cache dir and an unavailable cache service: cold build, warnings, no failure', async () => {
    const ro = await readOnlyDir(path.join(work, 'cache-ro'));
    try {
      const before = await buildCount(counter);
      const r = await run(options(ro.dir), ['albacore-cdep==1.0.0'], {
        // Unavailable service too: restore goes to the GitHub backend at a closed port.
      });
      expect((await buildCount(counter)) - before).toBe(1);
      expect(r.report).toMatchObject({
        backend: 'local',
        hit: 'miss',
        saved: false,
        saveSkipped: 'error',
        wheelsBuilt: 1
      });
      expect(r.report.warnings.join('\n')).toMatch(/saving the dependency cache failed/);
      expect((await fs.readdir(r.dir)).some((w) => w.startsWith('albacore_cdep-'))).toBe(true);

      const svc = await run(options(path.join(work, 'cache-c')), ['albacore-cdep==1.0.0'], {
        ACTIONS_RESULTS_URL: `http://127.0.0.1:${await closedPort()}/`,
        ACTIONS_RUNTIME_TOKEN: 'x.eyJzY3AiOiJBY3Rpb25zLlJlc3VsdHM6cjpqIn0.x'
      });
      expect((await buildCount(counter)) - before).toBe(2);
      expect(svc.report).toMatchObject({
        backend: 'github',
        hit: 'error',
        saved: false,
        saveSkipped: 'error',
        wheelsBuilt: 1
      });
      expect(svc.report.warnings.join('\n')).toMatch(
        /restoring the dependency cache failed \(cache service .* is unreachable/
      );
      expect((await fs.readdir(svc.dir)).some((w) => w.startsWith('albacore_cdep-'))).toBe(true);
    } finally {
      await ro.cleanup();
    }
  });

  it('downloaded wheels are not cached unless cache-all-wheels; cache disabled touches no cache', async () => {
    const plain = await run(options(path.join(work, 'cache-e')), ['six']);
    expect(plain.report).toMatchObject({
      hit: 'miss',
      saved: false,
      saveSkipped: 'no wheel was built from source',
      wheelsBuilt: 0
    });
    expect((await fs.readdir(plain.dir)).some((w) => w.startsWith('six-'))).toBe(true);

    const all = await run(options(path.join(work, 'cache-f'), { cacheAllWheels: true }), ['six']);
    expect(all.report).toMatchObject({ hit: 'miss', saved: true, wheelsBuilt: 0 });
    expect(all.report.key).not.toBe(plain.report.key);
    const entry = await fs.readdir(path.join(work, 'cache-f', 'wheels', all.report.key));
    expect(entry.filter((f) => f.endsWith('.whl'))).toEqual(
      (await fs.readdir(all.dir)).filter((w) => w.startsWith('six-'))
    );

    // Cache poisoning: a pull_request_target run restores but never saves.
    const prt = await run(options(path.join(work, 'cache-g'), { cacheAllWheels: true }), ['six'], {
      GITHUB_EVENT_NAME: 'pull_request_target'
    });
    expect(prt.report).toMatchObject({
      hit: 'miss',
      saved: false,
      saveSkipped: 'event pull_request_target'
    });
    await expect(fs.access(path.join(work, 'cache-g', 'wheels', prt.report.key))).rejects.toThrow();

    const off = await run(options(path.join(work, 'cache-d'), { cache: false }), ['six']);
    expect(off.report).toMatchObject({ hit: 'disabled', saved: false, wheelsBuilt: 0 });
    await expect(fs.access(path.join(work, 'cache-d'))).rejects.toThrow();
  });
});

/** The environment without Actions variables (so the local backend is chosen). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(ACTIONS_|GITHUB_)/.test(k)) env[k] = v;
  return env;
}

async function closedPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A cache dir that cannot be written: mode 0555 for a normal user; as root (which ignores
 * modes) a read-only tmpfs mount, else a path below a regular file.
 */
async function readOnlyDir(dir: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  await fs.mkdir(dir, { recursive: true });
  if (process.getuid?.() !== 0) {
    await fs.chmod(dir, 0o555);
    return { dir, cleanup: () => fs.chmod(dir, 0o755) };
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    return { dir, cleanup: async () => void execFileSync('umount', [dir], { stdio: 'ignore' }) };
  } catch {
    const file = path.join(dir, 'not-a-dir');
    await fs.writeFile(file, '');
    return { dir: path.join(file, 'cache'), cleanup: async () => undefined };
  }
}
