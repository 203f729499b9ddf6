import { afterAll, beforeAll, describe, expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMPLETE } from '../../src/build/container-env.js';
import { buildProject } from '../../src/build/index.js';
import { ProjectModel } from '../../src/detect/model.js';
import { ConfigError } from '../../src/errors.js';
import { sha256File } from '../../src/runtime/fsutil.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { cacheRoot } from '../../src/runtime/toolenv.js';
import {
  DOCKER_SKIP_REASON,
  TEST_MANYLINUX_IMAGE,
  dockerEnv,
  imageReady
} from '../helpers/docker.js';
import { itIf, testOptions } from '../helpers/env.js';
import { projectModel } from '../helpers/model.js';

const READY = imageReady(TEST_MANYLINUX_IMAGE);
let tmp: string;
const saved = process.env.DOCKER_HOST;
/** The test image without auditwheel (as images that do not ship it), made for this file. */
const NO_AUDITWHEEL = `albatross-test/manylinux-no-auditwheel:t${process.pid}`;

function docker(args: string[]): string {
  return execFileSync('docker', args, { env: dockerEnv(), encoding: 'utf8', timeout: 120_000 });
}

const model: ProjectModel = projectModel({
  root: path.resolve('fixtures', 'build-cext'),
  name: 'albatross-cext',
  native: true,
  nativeReasons: ['setup.py: Extension'],
  sources: ['pyproject.toml', 'setup.py']
});

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-build-ct-'));
  // The engine the test setup started (DOCKER_HOST as given, else its socket).
  const host = dockerEnv().DOCKER_HOST;
  if (host) process.env.DOCKER_HOST = host;
  if (READY) {
    const ctr = `albatross-derive-${process.pid}`;
    docker([
      'run',
      '--name',
      ctr,
      '--network',
      'none',
      TEST_MANYLINUX_IMAGE,
      'rm',
      '/usr/local/bin/auditwheel'
    ]);
    docker(['commit', ctr, NO_AUDITWHEEL]);
    docker(['rm', ctr]);
  }
});
afterAll(async () => {
  if (READY) {
    // The derived image is new every run: drop the cached build envs made for it.
    const id = docker(['image', 'inspect', '--format', '{{.Id}}', NO_AUDITWHEEL]).trim();
    const envs = path.join(cacheRoot(testOptions()), 'container-envs');
    for (const e of await fs.readdir(envs).catch(() => [] as string[])) {
      const about = await fs.readFile(path.join(envs, e, COMPLETE), 'utf8').catch(() => '');
      if (about.includes(`"imageId":"${id}"`))
        await fs.rm(path.join(envs, e), { recursive: true, force: true });
    }
    docker(['rmi', NO_AUDITWHEEL]);
  }
  if (saved === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = saved;
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('container builds (docker)', () => {
  itIf(READY, DOCKER_SKIP_REASON)(
    'an image without auditwheel: builds offline, tests inside, warns that the wheel is not repaired',
    async () => {
      const outDir = path.join(tmp, 'out');
      const log = memoryLogger();
      const testCommand = `{python} -c "import albatross_cext as m; assert m.add(2, 3) == 5; assert not m.where().startswith('/'), m.where()"`;
      const r = await buildProject({
        model,
        opts: testOptions({ testCommand, sourceDateEpoch: 1700000000 }),
        log,
        outDir,
        pythons: ['3.11', '3.10'],
        mode: 'container',
        image: NO_AUDITWHEEL,
        platformTag: 'manylinux_2_28_x86_64'
      });
      // 3.10 is not in the image: it fails alone, naming the interpreter path; 3.11 is built.
      expect(r.ok).toBe(false);
      expect(r.manifest.failures).toHaveLength(1);
      expect(r.manifest.failures[0]).toMatchObject({
        target: 'wheel cp310 manylinux_2_28_x86_64',
        python: '3.10'
      });
      expect(r.manifest.failures[0].message).toContain('/opt/python/cp310-cp310/bin/python');
      const wheel = r.manifest.artifacts.find((a) => a.kind === 'wheel')!;
      expect(wheel).toMatchObject({
        file: 'albatross_cext-1.0.0-cp311-cp311-linux_x86_64.whl',
        repaired: false,
        platformTag: 'linux_x86_64',
        python: '3.11'
      });
      expect(wheel.repair).toBeUndefined();
      expect(wheel.test?.status).toBe('passed');
      expect(wheel.sha256).toBe(await sha256File(path.join(outDir, wheel.file)));
      expect(log.lines.some((l) => /not repaired \(the image has no auditwheel\)/.test(l))).toBe(
        true
      );
      // Results copied out belong to the caller.
      const st = await fs.stat(path.join(outDir, wheel.file));
      expect(st.uid).toBe(process.getuid!());
    }
  );

  itIf(READY, DOCKER_SKIP_REASON)(
    'a missing engine is a configuration error naming container-engine',
    async () => {
      const prev = process.env.DOCKER_HOST;
      process.env.DOCKER_HOST = 'unix:///nonexistent/albatross.sock';
      try {
        const err = await buildProject({
          model,
          opts: testOptions({ containerEngine: 'docker' }),
          log: memoryLogger(),
          outDir: path.join(tmp, 'noengine'),
          mode: 'container',
          image: TEST_MANYLINUX_IMAGE
        }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toMatch(/^container-engine: docker is not available/);
      } finally {
        process.env.DOCKER_HOST = prev;
      }
    }
  );
});
