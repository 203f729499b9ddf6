/**
 * Locked row: `build --locked` (build env, test install and dependencies from pylock.toml and
 * pylock.build.toml, hash-checked, from the cache once fetched) against the same build
 * unlocked, for an app with a dozen dependencies, both warm, in the same loop. Real index.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildCommand } from '../../src/commands/build.js';
import { lockCommand } from '../../src/commands/lock.js';
import { Options, defaultOptions } from '../../src/config/options.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { byVersionAsc, discoverPythons } from '../../src/runtime/python.js';
import { BenchRow, sameLoop } from '../run.js';

const DEPS = ['requests', 'click', 'rich', 'attrs', 'packaging', 'six', 'python-dateutil'];

const PYPROJECT = `[build-system]
requires = ["flit_core>=3.4,<5"]
build-backend = "flit_core.buildapi"

[project]
name = "albatross-bench-locked"
version = "1.0.0"
description = "Albatross bench: an app with a dozen dependencies."
requires-python = ">=3.10"
dependencies = [${DEPS.map((d) => `"${d}"`).join(', ')}]
`;

export default async function locked(): Promise<BenchRow[]> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-bench-locked-'));
  try {
    const root = path.join(tmp, 'app');
    await fs.mkdir(path.join(root, 'albatross_bench_locked'), { recursive: true });
    await fs.writeFile(path.join(root, 'pyproject.toml'), PYPROJECT);
    await fs.writeFile(
      path.join(root, 'albatross_bench_locked', '__init__.py'),
      '"""Bench app."""\nimport requests, click, rich, attrs, packaging, six, dateutil  # noqa\n'
    );
    const py = (await discoverPythons()).filter((p) => byVersionAsc(p.version, '3.10') >= 0).pop();
    if (!py) throw new Error('no Python 3.10+ installed');
    let n = 0;
    const opts = (o: Partial<Options>): Options =>
      defaultOptions({
        projectDir: root,
        python: [py.version],
        mode: 'host',
        sourceDateEpoch: 1700000000,
        cacheDir: path.join(tmp, 'cache'),
        out: path.join(tmp, `out-${n++}`),
        ...o
      });
    const run = async (o: Partial<Options>): Promise<void> => {
      const r = await buildCommand({ opts: opts(o), log: memoryLogger() });
      if (r.exitCode !== 0) throw new Error(`build exited ${r.exitCode}`);
    };
    const lock = await lockCommand({ opts: opts({}), log: memoryLogger() });
    const packages = (lock.json as { files: { packages: number }[] }).files[0].packages;
    await run({ locked: true }); // warm both: locked wheelhouses and the dependency cache
    await run({});
    const t = await sameLoop(
      3,
      () => run({ locked: true }),
      () => run({})
    );
    return [
      {
        name: `build --locked, ${packages} locked dependencies (warm)`,
        unit: 's',
        ours: t.ours,
        peer: t.peer,
        peerName: 'the same build unlocked',
        ratio: t.ours / t.peer,
        note: `Python ${py.version}, host, test install on`
      }
    ];
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
