/**
 * Build rows: Albatross's orchestration overhead against `python -m build` and against
 * `uv build` (the pinned uv, in a tool env), and its parallel C-extension builds against a
 * serial `pip wheel` loop. Test-installs are off in every row: they are work the peers do not do.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProject } from '../../src/build/index.js';
import { buildFrontend } from '../../src/build/frontend.js';
import { defaultOptions } from '../../src/config/options.js';
import { ProjectModel } from '../../src/detect/model.js';
import { exec } from '../../src/runtime/exec.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { pipEnv, pipIndexArgs } from '../../src/runtime/pip.js';
import { byVersionAsc, discoverPythons } from '../../src/runtime/python.js';
import { cacheRoot, ensurePinnedTool } from '../../src/runtime/toolenv.js';
import { UV_TOOL } from '../../src/runtime/uv.js';
import { localIndex } from '../../__tests__/helpers/local-index.js';
import { projectModel } from '../../__tests__/helpers/model.js';
import { BenchRow, sameLoop } from '../run.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

function model(fixture: string, root: string, native: boolean, pythons: string[]): ProjectModel {
  return projectModel({
    root,
    name: fixture.replace('build-', 'albatross-'),
    pythonVersions: pythons,
    native,
    sources: []
  });
}

export default async function rows(): Promise<BenchRow[]> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-bench-build-'));
  const opts = defaultOptions({
    ...localIndex(),
    test: false,
    // Like for like: the peers do not run twine or check-wheel-contents, nor keep compiled
    // objects from one iteration to the next.
    inspect: false,
    compilerCache: false,
    sourceDateEpoch: 1700000000
  });
  const env = { ...process.env, ...pipEnv(opts) };
  const pythons = (await discoverPythons()).filter((p) => byVersionAsc(p.version, '3.9') >= 0);
  const out: BenchRow[] = [];
  let n = 0;
  const fresh = async (fixture: string): Promise<string> => {
    const dir = path.join(tmp, `${n++}`, fixture);
    await fs.cp(path.join(FIXTURES, fixture), dir, { recursive: true });
    return dir;
  };
  try {
    // Overhead: one pure project, sdist + wheel from the sdist on both sides.
    const py = pythons.filter((p) => byVersionAsc(p.version, '3.10') >= 0).pop()!;
    const fe = await buildFrontend(py, opts);
    const buildPure = async (): Promise<void> => {
      const root = await fresh('build-pure');
      await buildProject({
        model: model('build-pure', root, false, [py.version]),
        opts,
        log: memoryLogger(),
        outDir: path.join(root, 'dist'),
        mode: 'host'
      });
    };
    const o = await sameLoop(3, buildPure, async () => {
      const root = await fresh('build-pure');
      await exec([fe.python, '-m', 'build', '--outdir', path.join(root, 'dist'), root], { env });
    });
    out.push({
      name: 'build overhead (pure, sdist+wheel)',
      unit: 's',
      ours: o.ours,
      peer: o.peer,
      peerName: 'python -m build',
      ratio: o.ours / o.peer,
      goal: 1.05,
      note: `Python ${py.version}, test-install off, median of 3; ours reuses its cached build env`
    });

    // The same build against uv's frontend: sdist, then the wheel from it, uv's cache warm
    // after the first run as ours is; uv reads no pip configuration, so the index goes as argv.
    // uv itself comes from pip's own configured index (the local one has no uv).
    const uvTool = await ensurePinnedTool(py, UV_TOOL, defaultOptions({ cacheDir: opts.cacheDir }));
    const uv = path.join(path.dirname(uvTool), 'uv');
    const uvEnv = {
      ...env,
      UV_CACHE_DIR: path.join(cacheRoot(opts), 'bench-uv'),
      UV_NO_CONFIG: '1'
    };
    const u = await sameLoop(3, buildPure, async () => {
      const root = await fresh('build-pure');
      await exec(
        [
          uv,
          'build',
          '--quiet',
          '--python',
          py.executable,
          '--out-dir',
          path.join(root, 'dist')
        ].concat(pipIndexArgs(opts), root),
        { env: uvEnv }
      );
    });
    out.push({
      name: 'build overhead (pure, sdist+wheel)',
      unit: 's',
      ours: u.ours,
      peer: u.peer,
      peerName: `uv build (uv ${UV_TOOL.version})`,
      ratio: u.ours / u.peer,
      goal: 1.2,
      note: `Python ${py.version}, test-install off, median of 3; both with warm caches`
    });

    // Parallel: the C extension for up to five Pythons vs a serial pip wheel loop.
    const five = pythons.slice(-5);
    const p = await sameLoop(
      1,
      async () => {
        const root = await fresh('build-cext');
        await buildProject({
          model: model(
            'build-cext',
            root,
            true,
            five.map((x) => x.version)
          ),
          opts: { ...opts, jobs: 0 },
          log: memoryLogger(),
          outDir: path.join(root, 'dist'),
          mode: 'host'
        });
      },
      async () => {
        const root = await fresh('build-cext');
        for (const x of five)
          await exec(
            [
              x.executable,
              '-m',
              'pip',
              'wheel',
              '--no-deps',
              '--use-pep517',
              '-w',
              path.join(root, 'dist'),
              root
            ],
            { env }
          );
      }
    );
    out.push({
      name: `build parallel (C ext, ${five.length} Pythons)`,
      unit: 's',
      ours: p.ours,
      peer: p.peer,
      peerName: 'serial pip wheel',
      ratio: p.ours / p.peer,
      goal: 0.6,
      note: `${os.cpus().length} CPUs, jobs=${os.cpus().length}; ours also builds the sdist and normalises (cached build envs, warm after the first run)`
    });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  return out;
}
