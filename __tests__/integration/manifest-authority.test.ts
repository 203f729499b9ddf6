import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readManifest } from '../../src/manifest/io.js';
import { Manifest } from '../../src/manifest/model.js';
import { execCapture, ExecResult } from '../../src/runtime/exec.js';
import { sha256File } from '../../src/runtime/fsutil.js';
import { findPython } from '../../src/runtime/python.js';
import { localIndex } from '../helpers/local-index.js';

/**
 * OUT's manifest is authoritative for one project and version, whatever happened to OUT before:
 * a version bump, a failed or killed build, another project, several writers at once. Real
 * CLI processes, real builds.
 */
const CLI = ['node', '--import', 'tsx', path.resolve('src/cli/index.ts')];
const PY = '3.12';
const idx = localIndex();
const INDEX = [
  ...(idx.indexUrl ? ['--index-url', idx.indexUrl] : []),
  ...idx.extraIndexUrl.flatMap((u) => ['--extra-index-url', u]),
  ...idx.findLinks.flatMap((u) => ['--find-links', u])
];

function cli(args: string[], timeoutMs = 300_000): Promise<ExecResult> {
  return execCapture([...CLI, ...args], { timeoutMs });
}

let tmp: string;
let cache: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'manifest-authority-'));
  cache = path.join(tmp, 'cache');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A copy of the pure app fixture at `version`, under `name`. */
async function app(dir: string, version: string, name = 'albatross-pure'): Promise<string> {
  const root = path.join(tmp, dir);
  await fs.rm(root, { recursive: true, force: true });
  await fs.cp(path.resolve('fixtures/build-pure'), root, { recursive: true });
  await setVersion(root, version, name);
  return root;
}

async function setVersion(root: string, version: string, name = 'albatross-pure'): Promise<void> {
  const file = path.join(root, 'pyproject.toml');
  const text = (await fs.readFile(file, 'utf8'))
    .replace(/^version = ".*"$/m, `version = "${version}"`)
    .replace(/^name = ".*"$/m, `name = "${name}"`);
  await fs.writeFile(file, text);
  // The app prints its version, so a stale wheel inside a zipapp shows.
  await fs.writeFile(
    path.join(root, 'src/albatross_pure/cli.py'),
    `def main():\n    print("version ${version}")\n`
  );
}

const common = (out: string): string[] => [
  '--out',
  out,
  '--python',
  PY,
  '--mode',
  'host',
  '--cache-dir',
  cache,
  '--source-date-epoch',
  '1700000000',
  ...INDEX
];

/** Every entry's file exists with its sha256; every name is of the manifest's version. */
async function consistent(out: string): Promise<Manifest> {
  const m = (await readManifest(out)) as Manifest;
  for (const a of m.artifacts) {
    expect(await sha256File(path.join(out, a.file))).toBe(a.sha256);
    expect(a.file).toContain(`-${m.project.version}`);
  }
  return m;
}

describe('the manifest of OUT is authoritative', () => {
  it('a version bump removes the old artifacts; package builds the current wheel it needs', async () => {
    const root = await app('bump', '1.0.0');
    const out = path.join(tmp, 'bump-out');
    const b1 = await cli(['build', root, ...common(out), '--no-test']);
    expect({ code: b1.code, err: b1.stderr.slice(-800) }).toMatchObject({ code: 0 });
    expect((await consistent(out)).artifacts.map((a) => a.file).sort()).toEqual([
      'albatross_pure-1.0.0-py3-none-any.whl',
      'albatross_pure-1.0.0.tar.gz'
    ]);

    await setVersion(root, '1.1.0');
    // Package alone: OUT has only 1.0.0 wheels, so it builds the 1.1.0 wheel first.
    const p = await cli(['package', root, ...common(out), '--format', 'zipapp', '--no-test']);
    expect({ code: p.code, err: p.stderr.slice(-800) }).toMatchObject({ code: 0 });
    expect(p.stderr).toMatch(
      /package: no wheel of albatross-pure 1\.1\.0 in .*: building it first/
    );
    expect(p.stderr).toMatch(
      /removed from .*: albatross_pure-1\.0\.0-py3-none-any\.whl, albatross_pure-1\.0\.0\.tar\.gz \(stale/
    );
    const m = await consistent(out);
    expect(m.project.version).toBe('1.1.0');
    expect(m.artifacts.map((a) => a.file).sort()).toEqual([
      'albatross-pure-1.1.0.pyz',
      'albatross_pure-1.1.0-py3-none-any.whl',
      'albatross_pure-1.1.0.tar.gz'
    ]);
    expect((await fs.readdir(out)).sort()).toEqual([
      '.albatross',
      'albatross-pure-1.1.0.pyz',
      'albatross_pure-1.1.0-py3-none-any.whl',
      'albatross_pure-1.1.0.tar.gz'
    ]);
    const py = await findPython(PY);
    const run = await execCapture([py!.executable, path.join(out, 'albatross-pure-1.1.0.pyz')]);
    expect(run.stdout.trim()).toBe('version 1.1.0');
  });

  it('a wheel that fails after a bump leaves the new sdist and the failure, never the old wheel', async () => {
    const root = await app('halfway', '1.0.0');
    const out = path.join(tmp, 'halfway-out');
    expect((await cli(['build', root, ...common(out), '--no-test'])).code).toBe(0);
    await setVersion(root, '1.1.0');
    // The sdist builds; the wheel build fails in the backend.
    await fs.writeFile(
      path.join(root, 'build_backend.py'),
      'from setuptools.build_meta import *  # noqa\nfrom setuptools import build_meta as _b\ndef build_wheel(*a, **k):\n    raise SystemExit("wheel build broken on purpose")\n'
    );
    const pp = path.join(root, 'pyproject.toml');
    await fs.writeFile(
      pp,
      (await fs.readFile(pp, 'utf8')).replace(
        'build-backend = "setuptools.build_meta"',
        'build-backend = "build_backend"\nbackend-path = ["."]'
      )
    );
    const b = await cli(['build', root, ...common(out), '--no-test']);
    expect(b.code).toBe(1);
    const m = await consistent(out);
    expect(m.project.version).toBe('1.1.0');
    expect(m.artifacts.map((a) => a.file)).toEqual(['albatross_pure-1.1.0.tar.gz']);
    expect(m.failures.map((f) => f.target)).toEqual(['wheel py3']);
    expect(m.pending ?? []).toEqual([]);
    expect((await fs.readdir(out)).filter((f) => f.endsWith('.whl'))).toEqual([]);
  });

  it("another project's OUT is exit 2 naming both projects, before any work", async () => {
    const a = await app('first-project', '1.0.0');
    const b = await app('second-project', '1.0.0', 'other-app');
    const out = path.join(tmp, 'shared-out');
    expect((await cli(['build', a, ...common(out), '--no-test'])).code).toBe(0);
    const before = await fs.readdir(out);
    const r = await cli(['build', b, ...common(out), '--no-test']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /out: .*shared-out holds the artifacts of another project \(albatross-pure\), not other-app; use another --out/
    );
    expect(r.stderr).not.toMatch(/sdist/);
    expect(await fs.readdir(out)).toEqual(before);
  });

  it('concurrent CLI builds for different Pythons into one OUT lose no entry', async () => {
    const pythons = ['3.11', '3.12', '3.13'];
    for (const v of pythons) expect(await findPython(v)).toBeTruthy();
    const root = path.join(tmp, 'cext');
    await fs.cp(path.resolve('fixtures/build-cext'), root, { recursive: true });
    const out = path.join(tmp, 'cext-out');
    const runs = await Promise.all(
      pythons.map((v) =>
        cli([
          'build',
          root,
          ...common(out).map((x) => (x === PY ? v : x)),
          '--no-test',
          '--jobs',
          '1'
        ])
      )
    );
    for (const r of runs)
      expect({ code: r.code, err: r.stderr.slice(-600) }).toMatchObject({ code: 0 });
    const m = await consistent(out);
    const wheels = m.artifacts.filter((a) => a.kind === 'wheel').map((a) => a.python);
    expect(wheels.sort()).toEqual(pythons);
    expect(m.artifacts.filter((a) => a.kind === 'sdist')).toHaveLength(1);
    expect(m.pending ?? []).toEqual([]);
  });

  it('kill -9 at any moment leaves a manifest that lists only complete files of one version', async () => {
    const root = await app('killed', '1.0.0');
    const out = path.join(tmp, 'killed-out');
    expect((await cli(['build', root, ...common(out), '--no-test'])).code).toBe(0);
    await setVersion(root, '1.1.0');
    for (const ms of [300, 1500, 3000, 5000]) {
      const child = spawn(CLI[0], [...CLI.slice(1), 'build', root, ...common(out), '--no-test'], {
        stdio: 'ignore'
      });
      const exited = new Promise((r) => child.once('exit', r));
      await new Promise((r) => setTimeout(r, ms));
      child.kill('SIGKILL');
      await exited;
      const m = await consistent(out);
      expect(['1.0.0', '1.1.0']).toContain(m.project.version);
      expect((await fs.readdir(out)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    }
    // A run after the kills finishes the job and clears what the killed runs left pending.
    expect((await cli(['build', root, ...common(out), '--no-test'])).code).toBe(0);
    const m = await consistent(out);
    expect(m.project.version).toBe('1.1.0');
    expect(m.pending ?? []).toEqual([]);
    expect(m.artifacts).toHaveLength(2);
  });
});
