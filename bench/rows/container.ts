/**
 * Container row: the C-extension fixture for one Python in the same manylinux test image,
 * `albatross build` (container mode: sdist on the host, wheel from it in the container,
 * auditwheel repair, normalisation) against cibuildwheel (pinned; CIBW_MANYLINUX_X86_64_IMAGE =
 * the test image; wheel from the project, its default auditwheel repair). Both read the local
 * index from read-only mounts in a container without a network; test-installs are off in both.
 * Needs the local engine and the test images (scripts/ci/start-dockerd.sh, make-test-images.sh).
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localIndexDirs } from '../../src/build/container.js';
import { buildProject } from '../../src/build/index.js';
import { defaultOptions } from '../../src/config/options.js';
import { exec } from '../../src/runtime/exec.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { pipEnv } from '../../src/runtime/pip.js';
import { byVersionAsc, discoverPythons } from '../../src/runtime/python.js';
import { ensureToolEnv } from '../../src/runtime/toolenv.js';
import { TEST_MANYLINUX_IMAGE, dockerEnv } from '../../__tests__/helpers/docker.js';
import { localIndex } from '../../__tests__/helpers/local-index.js';
import { projectModel } from '../../__tests__/helpers/model.js';
import { BenchRow, sameLoop } from '../run.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
const CIBUILDWHEEL = 'cibuildwheel==4.3.5';
const PYTHON = '3.11';
const POLICY = 'manylinux_2_28_x86_64';

export default async function rows(): Promise<BenchRow[]> {
  try {
    execFileSync('docker', ['image', 'inspect', TEST_MANYLINUX_IMAGE], {
      env: dockerEnv(),
      stdio: 'ignore'
    });
  } catch {
    throw new Error(
      `needs the engine and ${TEST_MANYLINUX_IMAGE} (scripts/ci/start-dockerd.sh, scripts/ci/make-test-images.sh)`
    );
  }
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-bench-container-'));
  const index = localIndex();
  // Like for like: cibuildwheel repairs but does not run twine or check-wheel-contents, nor
  // keep compiled objects from one iteration to the next.
  const opts = defaultOptions({
    ...index,
    test: false,
    inspect: false,
    compilerCache: false,
    sourceDateEpoch: 1700000000
  });
  // cibuildwheel needs Python 3.11+ on the host; it installs from pip's own configuration.
  const host = (await discoverPythons()).filter((p) => byVersionAsc(p.version, '3.11') >= 0).pop();
  if (!host) throw new Error('cibuildwheel needs a Python ≥ 3.11 on the host');
  const cibw = await ensureToolEnv(host, [CIBUILDWHEEL], defaultOptions());
  // The same read-only index mounts Albatross gives its build container.
  const mounts: string[] = [];
  for (const d of localIndexDirs(index))
    if (
      await fs.stat(d).then(
        (s) => s.isDirectory(),
        () => false
      )
    )
      mounts.push(`--volume=${d}:${d}:ro`);
  const peerEnv = {
    ...dockerEnv(),
    ...pipEnv(index),
    CIBW_BUILD: `cp${PYTHON.replace('.', '')}-manylinux_x86_64`,
    CIBW_ARCHS_LINUX: 'x86_64',
    CIBW_MANYLINUX_X86_64_IMAGE: TEST_MANYLINUX_IMAGE,
    // The test image's interpreters have pip but not pypa/build; Albatross uses pip there too.
    CIBW_BUILD_FRONTEND: 'pip',
    CIBW_CONTAINER_ENGINE: `docker; create_args: ${mounts.join(' ')}`,
    CIBW_ENVIRONMENT_PASS_LINUX: 'PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS',
    SOURCE_DATE_EPOCH: '1700000000'
  };
  let n = 0;
  const fresh = async (): Promise<string> => {
    const dir = path.join(tmp, `${n++}`, 'build-cext');
    await fs.cp(path.join(FIXTURES, 'build-cext'), dir, { recursive: true });
    return dir;
  };
  const repairedWheel = async (dir: string): Promise<void> => {
    const files = await fs.readdir(dir);
    if (!files.some((f) => f.endsWith('.whl') && f.includes(POLICY)))
      throw new Error(`no ${POLICY} wheel in ${dir}: ${files.join(', ')}`);
  };
  try {
    const r = await sameLoop(
      3,
      async () => {
        const root = await fresh();
        const out = await buildProject({
          model: projectModel({
            root,
            name: 'albatross-cext',
            native: true,
            pythonVersions: [PYTHON],
            sources: []
          }),
          opts,
          log: memoryLogger(),
          outDir: path.join(root, 'dist'),
          pythons: [PYTHON],
          mode: 'container',
          image: TEST_MANYLINUX_IMAGE,
          platformTag: POLICY
        });
        if (!out.ok) throw new Error(JSON.stringify(out.manifest.failures));
        await repairedWheel(path.join(root, 'dist'));
      },
      async () => {
        const root = await fresh();
        await exec(
          [cibw, '-m', 'cibuildwheel', '--platform', 'linux', '--output-dir', 'wheelhouse', '.'],
          { cwd: root, env: peerEnv }
        );
        await repairedWheel(path.join(root, 'wheelhouse'));
      }
    );
    return [
      {
        name: `container build (C ext, Python ${PYTHON}, same image)`,
        unit: 's',
        ours: r.ours,
        peer: r.peer,
        peerName: CIBUILDWHEEL.replace('==', ' '),
        ratio: r.ours / r.peer,
        goal: 0.8,
        note: 'test-install off; ours also builds the sdist (host) and normalises; median of 3'
      }
    ];
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
