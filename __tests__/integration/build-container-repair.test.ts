import { afterAll, beforeAll, describe, expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildProject } from '../../src/build/index.js';
import { BuildOutcome, BuildRequest } from '../../src/build/index.js';
import { ProjectModel } from '../../src/detect/model.js';
import { ArtifactEntry } from '../../src/manifest/model.js';
import { summarizeOutDir } from '../../src/report/markdown.js';
import { renderManifestTable } from '../../src/report/terminal.js';
import { sha256File } from '../../src/runtime/fsutil.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { findPython } from '../../src/runtime/python.js';
import { walkZip } from '../../src/runtime/zipread.js';
import {
  DOCKER_SKIP_REASON,
  TEST_MANYLINUX_IMAGE,
  TEST_PYTHON_IMAGE,
  dockerEnv,
  imageReady
} from '../helpers/docker.js';
import { itIf, testOptions } from '../helpers/env.js';
import { projectModel } from '../helpers/model.js';

/**
 * auditwheel repair, really run in the manylinux test image: fixtures/build-sharedlib's
 * extension links libalbatross_greet.so, a library the project builds itself and that is on no
 * manylinux allowlist.
 */
const READY = imageReady(TEST_MANYLINUX_IMAGE) && imageReady(TEST_PYTHON_IMAGE);
const FIXTURE = path.resolve('fixtures', 'build-sharedlib');
const GRAFTED = /^albatross_sharedlib\.libs\/libalbatross_greet-[0-9a-f]{8}\.so$/;
let tmp: string;
const saved = process.env.DOCKER_HOST;
let first: { outcome: BuildOutcome; outDir: string; log: string[] } | undefined;

function model(root: string): ProjectModel {
  return projectModel({
    root,
    name: 'albatross-sharedlib',
    native: true,
    nativeReasons: ['setup.py: Extension'],
    sources: ['pyproject.toml', 'setup.py']
  });
}

function docker(args: string[]): string {
  return execFileSync('docker', args, { env: dockerEnv(), encoding: 'utf8', timeout: 120_000 });
}

async function build(
  name: string,
  root = FIXTURE,
  over: Partial<BuildRequest> = {}
): Promise<{ outcome: BuildOutcome; outDir: string; log: string[] }> {
  const outDir = path.join(tmp, name, 'out');
  const log = memoryLogger();
  const outcome = await buildProject({
    model: model(root),
    opts: testOptions({ sourceDateEpoch: 1700000000 }),
    log,
    outDir,
    pythons: ['3.11'],
    mode: 'container',
    image: TEST_MANYLINUX_IMAGE,
    platformTag: 'manylinux_2_28_x86_64',
    env: { workRoot: path.join(tmp, name, 'work') },
    ...over
  });
  return { outcome, outDir, log: log.lines };
}

function wheelOf(o: BuildOutcome): ArtifactEntry {
  const w = o.manifest.artifacts.find((a) => a.kind === 'wheel');
  if (!w) throw new Error(`no wheel: ${JSON.stringify(o.manifest.failures)}`);
  return w;
}

async function members(file: string): Promise<string[]> {
  const names: string[] = [];
  await walkZip(file, async (e) => {
    names.push(e.name);
  });
  return names;
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-repair-'));
  const host = dockerEnv().DOCKER_HOST;
  if (host) process.env.DOCKER_HOST = host;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = saved;
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('auditwheel repair in container builds', () => {
  itIf(READY, DOCKER_SKIP_REASON)(
    'grafts the project’s own shared library into albatross_sharedlib.libs/, rewrites the RPATH, and the wheel imports where the library does not exist',
    async () => {
      first = await build('first');
      const { outcome, outDir, log } = first;
      expect(outcome.manifest.failures).toEqual([]);
      expect(outcome.ok).toBe(true);
      const wheel = wheelOf(outcome);
      expect(wheel.file).toMatch(
        /^albatross_sharedlib-1\.0\.0-cp311-cp311-(\S+\.)?manylinux_2_28_x86_64(\.\S+)?\.whl$/
      );
      expect(wheel.platformTag?.split('.')).toContain('manylinux_2_28_x86_64');
      expect(wheel.repaired).toBe(true);
      expect(wheel.repair).toMatchObject({
        tool: 'auditwheel 6.8.2',
        requested: 'manylinux_2_28_x86_64',
        policy: expect.stringMatching(/^manylinux_2_\d+_x86_64$/)
      });
      expect(wheel.repair?.grafted).toEqual([expect.stringMatching(GRAFTED)]);
      expect(wheel.test?.status).toBe('passed');
      const file = path.join(outDir, wheel.file);
      expect(wheel.sha256).toBe(await sha256File(file));
      const names = await members(file);
      expect(names).toContain(wheel.repair!.grafted[0]);
      expect(names).toContain('albatross_sharedlib/_greet.cpython-311-x86_64-linux-gnu.so');

      // The RPATH now points into the wheel (read with the image's own patchelf).
      const rpath = docker([
        'run',
        '--rm',
        '--network',
        'none',
        '--mount',
        `type=bind,source=${outDir},target=/w,readonly`,
        TEST_MANYLINUX_IMAGE,
        'sh',
        '-c',
        'cd /tmp && python3 -m zipfile -e "/w/$0" x && patchelf --print-rpath x/albatross_sharedlib/_greet.*.so',
        wheel.file
      ]);
      expect(rpath.trim()).toBe('$ORIGIN/../albatross_sharedlib.libs');

      // Installed by a real pip, imported by the plain Python image, which has no such library.
      const py = await findPython('3.11');
      expect(py).toBeDefined();
      const site = path.join(tmp, 'site');
      execFileSync(
        py!.executable,
        ['-m', 'pip', 'install', '--quiet', '--no-index', '--no-deps', '--target', site, file],
        {
          encoding: 'utf8',
          timeout: 120_000,
          env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' }
        }
      );
      const out = docker([
        'run',
        '--rm',
        '--network',
        'none',
        '--mount',
        `type=bind,source=${site},target=/site,readonly`,
        TEST_PYTHON_IMAGE,
        'sh',
        '-c',
        // -xdev skips the /site mount: any other copy of the library would show here.
        'find / -xdev -name "libalbatross_greet*" 2>/dev/null; PYTHONPATH=/site python3 -c "import albatross_sharedlib as m; print(m.add(2, 3)); print(m.message()); print(m.library_path())"'
      ]);
      expect(out.trim().split('\n')).toEqual([
        '5',
        'hello from libalbatross_greet',
        `/site/${wheel.repair!.grafted[0]}`
      ]);

      // What auditwheel decided reaches the log, the terminal table and the job summary.
      expect(log.some((l) => l.includes(`auditwheel ${wheel.repair!.policy}, grafted`))).toBe(true);
      const grafted = path.basename(wheel.repair!.grafted[0]);
      expect(renderManifestTable(outcome.manifest)).toContain(
        `repaired ${wheel.file}: auditwheel 6.8.2 → ${wheel.repair!.policy}`
      );
      const summary = await summarizeOutDir(outDir);
      expect(summary).toContain('🔧 Repaired by auditwheel:');
      expect(summary).toContain(`grafted ${grafted.replace(/_/g, '&#95;')}`);
      expect(summary).not.toContain('not repaired');
    }
  );

  itIf(READY, DOCKER_SKIP_REASON)(
    'normalisation runs after repair: another path, umask, TZ, locale and PATH outside give identical bytes',
    async () => {
      expect(first).toBeDefined();
      const env = { TZ: process.env.TZ, LANG: process.env.LANG, LC_ALL: process.env.LC_ALL };
      const pathVar = process.env.PATH;
      const umask = process.umask(0o077);
      process.env.TZ = 'Pacific/Chatham';
      process.env.LANG = process.env.LC_ALL = 'fr_FR.UTF-8';
      const bin = path.join(tmp, 'extra-bin');
      await fs.mkdir(bin, { recursive: true });
      process.env.PATH = `${bin}:${pathVar}`;
      let second;
      try {
        second = await build(path.join('second', 'a much', 'deeper.path'));
      } finally {
        process.umask(umask);
        process.env.PATH = pathVar;
        for (const [k, v] of Object.entries(env)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
      expect(second.outcome.manifest.failures).toEqual([]);
      const a = first!.outcome.manifest.artifacts.map((x) => [x.file, x.sha256]).sort();
      const b = second.outcome.manifest.artifacts.map((x) => [x.file, x.sha256]).sort();
      expect(b).toHaveLength(2);
      expect(b).toEqual(a);
      expect(wheelOf(second.outcome).repaired).toBe(true);
      // Both built without isolation in the one cached build env of the image's interpreter.
      const envOf = (log: string[]): string | undefined =>
        /(\/albatross-envs\/[0-9a-f]{16})\/bin\/python -m pip wheel --no-deps --no-build-isolation/.exec(
          log.join('\n')
        )?.[1];
      expect(envOf(second.log)).toBeDefined();
      expect(envOf(second.log)).toBe(envOf(first!.log));
    }
  );

  itIf(READY, DOCKER_SKIP_REASON)(
    'a repair that fails fails that wheel with auditwheel’s own message (never a silent skip)',
    async () => {
      // Without the RPATH auditwheel cannot find the library the extension needs.
      const root = path.join(tmp, 'unfound-src');
      await fs.cp(FIXTURE, root, { recursive: true });
      const setup = path.join(root, 'setup.py');
      const text = await fs.readFile(setup, 'utf8');
      const cut = text.replace(/^\s*ext\.runtime_library_dirs\.append\(libdir\)\n/m, '');
      expect(cut).not.toBe(text);
      await fs.writeFile(setup, cut);
      const { outcome, outDir } = await build('unfound', root);
      expect(outcome.ok).toBe(false);
      expect(outcome.manifest.artifacts.map((a) => a.kind)).toEqual(['sdist']);
      expect(outcome.manifest.failures).toHaveLength(1);
      expect(outcome.manifest.failures[0]).toMatchObject({
        target: 'wheel cp311 manylinux_2_28_x86_64',
        python: '3.11'
      });
      expect(outcome.manifest.failures[0].message).toBe(
        'auditwheel repair failed (exit code 1): ValueError: Cannot repair wheel, because required library "libalbatross_greet.so" could not be located'
      );
      expect((await fs.readdir(outDir)).filter((f) => f.endsWith('.whl'))).toEqual([]);
    }
  );
});
