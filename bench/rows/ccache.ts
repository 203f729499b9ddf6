/**
 * Compiler cache row: a warm rebuild of a native project (fixtures/ccache-multi, four C files)
 * after a one-line change in one of them, for several Pythons. Real compiler runs are counted
 * by a shim `gcc`/`cc` on PATH behind ccache (ccache finds the compiler on PATH after its own
 * masquerade links, so only what ccache does not serve reaches the shim). Goal: at most one
 * real compile per Python, against the four per Python the same rebuild costs without the cache.
 * The wall times of both rebuilds are a second row (no goal: setuptools and pip dominate).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProject } from '../../src/build/index.js';
import { defaultOptions, Options } from '../../src/config/options.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { byVersionAsc, cpTag, discoverPythons } from '../../src/runtime/python.js';
import { localIndex } from '../../__tests__/helpers/local-index.js';
import { projectModel } from '../../__tests__/helpers/model.js';
import { BenchRow } from '../run.js';

const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'fixtures',
  'ccache-multi'
);
const C_FILES = 4;

/** A directory with `gcc` and `cc` that log each compile (`-c`, not `-E`) and run the real one. */
async function compilerShim(dir: string, log: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const name of ['gcc', 'cc']) {
    const real = await which(name);
    if (!real) throw new Error(`no ${name} on PATH`);
    const script = [
      '#!/bin/sh',
      'case " $* " in',
      '  *" -E "*) ;;',
      `  *" -c "*) printf '%s\\n' "$*" >> '${log}' ;;`,
      'esac',
      `exec '${real}' "$@"`,
      ''
    ].join('\n');
    await fs.writeFile(path.join(dir, name), script, { mode: 0o755 });
  }
}

async function which(name: string): Promise<string | null> {
  for (const d of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const p = path.join(d, name);
    if (
      await fs.access(p, 1).then(
        () => true,
        () => false
      )
    )
      return fs.realpath(p);
  }
  return null;
}

/** Compiles the shim logged, per Python (setuptools' object paths carry `cpython-3XY`). */
async function compiles(log: string, versions: string[]): Promise<Record<string, number>> {
  const lines = (await fs.readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return Object.fromEntries(
    versions.map((v) => [v, lines.filter((l) => l.includes(`cpython-${cpTag(v).slice(2)}`)).length])
  );
}

export default async function rows(): Promise<BenchRow[]> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-bench-ccache-'));
  const savedPath = process.env.PATH;
  try {
    const pythons = (await discoverPythons())
      .filter((p) => byVersionAsc(p.version, '3.10') >= 0)
      .slice(-3)
      .map((p) => p.version);
    if (!pythons.length) throw new Error('no CPython >= 3.10 found');
    const shim = path.join(tmp, 'shim');
    const log = path.join(tmp, 'compiles.log');
    await compilerShim(shim, log);
    process.env.PATH = [shim, savedPath].join(path.delimiter);

    const opts = (over: Partial<Options>): Options =>
      defaultOptions({
        ...localIndex(),
        test: false,
        inspect: false,
        sourceDateEpoch: 1700000000,
        cacheDir: path.join(tmp, 'cache'),
        ...over
      });
    let n = 0;
    const build = async (
      root: string,
      over: Partial<Options>
    ): Promise<{ seconds: number; wheels: string[] }> => {
      await fs.rm(log, { force: true });
      const t = process.hrtime.bigint();
      const r = await buildProject({
        model: projectModel({ root, name: 'ccache-multi', native: true, pythonVersions: pythons }),
        opts: opts(over),
        log: memoryLogger(),
        outDir: path.join(tmp, `out-${n++}`),
        mode: 'host',
        pythons
      });
      if (!r.ok) throw new Error(r.manifest.failures.map((f) => f.message).join('; '));
      const wheels = r.manifest.artifacts.filter((a) => a.kind === 'wheel');
      return {
        seconds: Number(process.hrtime.bigint() - t) / 1e9,
        wheels: wheels.map((w) => `${w.file} ${w.sha256}`).sort()
      };
    };

    const root = path.join(tmp, 'project');
    await fs.cp(FIXTURE, root, { recursive: true });
    await build(root, {}); // cold: fills the compiler cache
    // The one-line change: code, not a comment (a comment would be a preprocessed-mode hit).
    const add = path.join(root, 'src', 'ccmulti', 'add.c');
    const text = await fs.readFile(add, 'utf8');
    await fs.writeFile(add, text.replace('return a + b;', 'return b + a;'));
    const warmBuild = await build(root, {});
    const warm = await compiles(log, pythons);
    const offBuild = await build(root, { compilerCache: false });
    const off = await compiles(log, pythons);
    // Objects served from the cache (across Pythons too) never change the bytes.
    if (warmBuild.wheels.join('\n') !== offBuild.wheels.join('\n'))
      throw new Error(
        `wheels differ with the cache:\n${warmBuild.wheels.join('\n')}\nwithout:\n${offBuild.wheels.join('\n')}`
      );
    const [warmSeconds, offSeconds] = [warmBuild.seconds, offBuild.seconds];

    const per = (c: Record<string, number>): number => Math.max(...pythons.map((v) => c[v] ?? 0));
    const each = (c: Record<string, number>): string =>
      pythons.map((v) => `${v}: ${c[v] ?? 0}`).join(', ');
    return [
      {
        name: 'ccache: real compiles per Python, warm rebuild after a one-line C change',
        unit: 'runs',
        ours: per(warm),
        peer: per(off),
        peerName: 'compiler-cache off',
        ratio: per(warm) / per(off),
        goal: 1 / C_FILES,
        note: `Pythons ${pythons.join(', ')}; compiles with the cache ${each(warm)}, without ${each(off)} (${C_FILES} C files; the same wheel bytes)`
      },
      {
        name: 'ccache: warm rebuild after a one-line C change, wall time',
        unit: 's',
        ours: warmSeconds,
        peer: offSeconds,
        peerName: 'compiler-cache off',
        ratio: warmSeconds / offSeconds,
        note: `${pythons.length} Pythons in parallel, test-install and inspection off; one run each`
      }
    ];
  } finally {
    process.env.PATH = savedPath;
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
