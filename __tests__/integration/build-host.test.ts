import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildProject } from '../../src/build/index.js';
import { readZip } from '../../src/build/normalize/archive.js';
import { recordText } from '../../src/build/normalize/wheel.js';
import { buildCommand } from '../../src/commands/build.js';
import { ProjectModel } from '../../src/detect/model.js';
import { ConfigError } from '../../src/errors.js';
import { MANIFEST_NAME, readManifest } from '../../src/manifest/io.js';
import { Manifest } from '../../src/manifest/model.js';
import { sha256File } from '../../src/runtime/fsutil.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { byVersionAsc, discoverPythons } from '../../src/runtime/python.js';
import { testOptions } from '../helpers/env.js';
import { projectModel } from '../helpers/model.js';

const FIXTURES = path.resolve('fixtures');
let tmp: string;

function model(fixture: string, over: Partial<ProjectModel> = {}): ProjectModel {
  return projectModel({
    root: path.join(FIXTURES, fixture),
    name: fixture.replace('build-', 'albatross-').replace('-sdist', '').replace('-backend', ''),
    ...over
  });
}

async function out(name: string): Promise<string> {
  return path.join(tmp, name);
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-build-it-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('host builds', () => {
  it('builds a pure project through buildCommand: sdist + one py3-none-any wheel, tested, listed with hashes', async () => {
    const root = path.join(tmp, 'cmd-pure');
    await fs.cp(path.join(FIXTURES, 'build-pure'), root, { recursive: true });
    const log = memoryLogger();
    const r = await buildCommand({
      opts: testOptions({
        projectDir: root,
        out: 'wheelhouse',
        python: ['3.12'],
        sourceDateEpoch: 1700000000
      }),
      log
    });
    expect(r.exitCode).toBe(0);
    const outDir = path.join(root, 'wheelhouse');
    expect(r.outputs!.manifest).toBe(path.join(outDir, MANIFEST_NAME));
    const manifest = r.json as Manifest;
    expect(JSON.parse(r.outputs!.artifacts)).toEqual(manifest.artifacts);
    const files = manifest.artifacts.map((a) => a.file).sort();
    expect(files).toEqual(['albatross_pure-1.0.0-py3-none-any.whl', 'albatross_pure-1.0.0.tar.gz']);
    expect((await fs.readdir(outDir)).sort()).toEqual(['.albatross', ...files]);
    expect(await fs.readdir(path.join(outDir, '.albatross'))).toEqual(['manifest.json']);
    expect(r.text).toMatch(
      /albatross_pure-1\.0\.0-py3-none-any\.whl\s+wheel\s+any\s+3\.12\s+\S+ kB\s+[0-9a-f]{12}\s+passed/
    );
    const wheel = manifest.artifacts.find((a) => a.kind === 'wheel')!;
    expect(wheel).toMatchObject({
      pythonTag: 'py3',
      abiTag: 'none',
      platformTag: 'any',
      python: '3.12'
    });
    expect(wheel.test).toMatchObject({
      status: 'passed',
      command: 'import albatross_pure; albatross-pure --help'
    });
    for (const a of manifest.artifacts) {
      expect(a.sha256).toBe(await sha256File(path.join(outDir, a.file)));
      expect(a.size).toBe((await fs.stat(path.join(outDir, a.file))).size);
    }
    expect((await readManifest(outDir))!.sourceDateEpoch).toBe(1700000000);
    // RECORD matches the written bytes.
    const members = await readZip(path.join(outDir, wheel.file));
    const record = members.find((m) => m.name.endsWith('.dist-info/RECORD'))!;
    expect(record.data.toString()).toBe(recordText(members, record.name));
    // An explicitly requested Python that is not installed is a configuration error naming it.
    await expect(
      buildCommand({
        opts: testOptions({ projectDir: root, python: ['3.99'] }),
        log
      })
    ).rejects.toThrow(/3\.99/);
  });

  it('fails an sdist that omits a module: the wheel built from it does not import', async () => {
    const outDir = await out('incomplete');
    const r = await buildProject({
      model: model('build-incomplete-sdist'),
      opts: testOptions(),
      log: memoryLogger(),
      outDir,
      mode: 'host'
    });
    expect(r.ok).toBe(false);
    expect(r.manifest.artifacts.map((a) => a.kind)).toEqual(['sdist']);
    expect(r.manifest.failures).toHaveLength(1);
    expect(r.manifest.failures[0]).toMatchObject({
      target: 'wheel py3',
      kind: 'wheel',
      python: '3.11'
    });
    expect(r.manifest.failures[0].logTail).toMatch(
      /No module named 'albatross_incomplete.helpers'/
    );
    expect((await fs.readdir(outDir)).filter((f) => f.endsWith('.whl'))).toEqual([]);
  });

  it('reports a failing backend with its log and lists nothing', async () => {
    const outDir = await out('failing');
    const log = memoryLogger();
    const r = await buildProject({
      model: model('build-failing-backend', { backend: 'failing_backend', buildRequires: [] }),
      opts: testOptions(),
      log,
      outDir,
      mode: 'host'
    });
    expect(r.ok).toBe(false);
    expect(r.manifest.artifacts).toEqual([]);
    expect(r.manifest.failures[0]).toMatchObject({ target: 'sdist', kind: 'sdist' });
    expect(r.manifest.failures[0].logTail).toContain('this backend always fails');
    expect(log.lines.some((l) => l.startsWith('error: sdist'))).toBe(true);
  });

  it('falls back to an isolated build when the backend asks for a requirement the cached env lacks', async () => {
    const outDir = await out('dynreq');
    const log = memoryLogger();
    const r = await buildProject({
      model: model('build-dynamic-requires', {
        name: 'albatross-dynreq',
        backend: 'backend',
        backendPath: ['_backend'],
        pythonVersions: ['3.11']
      }),
      opts: testOptions({ debug: true }),
      log,
      outDir,
      pythons: ['3.11'],
      mode: 'host'
    });
    expect(r.manifest.failures).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.manifest.artifacts.map((a) => a.file).sort()).toEqual([
      'albatross_dynreq-1.0.0-py3-none-any.whl',
      'albatross_dynreq-1.0.0.tar.gz'
    ]);
    // The backend imports `six` in build_wheel: only the isolated fallback installs it.
    expect(
      log.lines.some((l) => /lacks a dynamic build requirement; building isolated/.test(l))
    ).toBe(true);
  });

  it("a rebuild tries the cached env without pypa/build's dependency check, and falls back when it fails", async () => {
    const dynreq = model('build-dynamic-requires', {
      name: 'albatross-dynreq',
      backend: 'backend',
      backendPath: ['_backend'],
      pythonVersions: ['3.11']
    });
    const log = memoryLogger();
    const r = await buildProject({
      model: dynreq,
      opts: testOptions({ debug: true }),
      log,
      outDir: await out('dynreq-rebuild'),
      pythons: ['3.11'],
      mode: 'host',
      env: { rebuild: true }
    });
    expect(r.manifest.failures).toEqual([]);
    // The unchecked try failed on the missing `six`; the check then chose isolation.
    expect(log.lines.some((l) => l.includes('--skip-dependency-check'))).toBe(true);
    expect(
      log.lines.some((l) => /lacks a dynamic build requirement; building isolated/.test(l))
    ).toBe(true);
    expect(r.manifest.artifacts).toHaveLength(2);

    // Where the cached env suffices, the unchecked build is the build, and the bytes are the same.
    const build = async (name: string, rebuild: boolean): Promise<Record<string, string>> => {
      const l = memoryLogger();
      const b = await buildProject({
        model: model('build-pure'),
        opts: testOptions({ debug: true, test: false }),
        log: l,
        outDir: await out(name),
        mode: 'host',
        env: { rebuild }
      });
      expect(b.ok).toBe(true);
      expect(l.lines.some((x) => x.includes('--skip-dependency-check'))).toBe(rebuild);
      return Object.fromEntries(b.manifest.artifacts.map((a) => [a.file, a.sha256]));
    };
    expect(await build('pure-rebuild', true)).toEqual(await build('pure-checked', false));
  });

  it('names a missing Python and an unwritable output directory', async () => {
    await expect(
      buildProject({
        model: model('build-pure'),
        opts: testOptions(),
        log: memoryLogger(),
        outDir: await out('x'),
        pythons: ['3.99'],
        mode: 'host'
      })
    ).rejects.toThrow(/python: Python 3\.99 requested but not installed/);
    const file = path.join(tmp, 'a-file');
    await fs.writeFile(file, '');
    const err = await buildProject({
      model: model('build-pure'),
      opts: testOptions(),
      log: memoryLogger(),
      outDir: path.join(file, 'out'),
      mode: 'host'
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^out: output directory .* is not writable/);
  });

  // Build A: every CPython >= 3.9 pyenv has, under one calling environment; built once in
  // beforeAll so each test below also runs alone (-t). Build B: one of them again from another
  // directory under another umask, TZ and locale.
  describe('C extension', () => {
    const SDE = 1700000000;
    let pythons: string[] = [];
    let buildA: Awaited<ReturnType<typeof buildProject>>;
    const withCallerEnv = async <T>(
      e: { TZ: string; LC_ALL: string; umask: number },
      fn: () => Promise<T>
    ): Promise<T> => {
      const saved = { TZ: process.env.TZ, LC_ALL: process.env.LC_ALL, LANG: process.env.LANG };
      const savedMask = process.umask(e.umask);
      process.env.TZ = e.TZ;
      process.env.LC_ALL = e.LC_ALL;
      process.env.LANG = e.LC_ALL;
      try {
        return await fn();
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
        process.umask(savedMask);
      }
    };

    beforeAll(async () => {
      pythons = (await discoverPythons())
        .filter((p) => p.source === 'pyenv' && byVersionAsc(p.version, '3.9') >= 0)
        .map((p) => p.version);
      const root = path.join(tmp, 'repro-a', 'checkout');
      await fs.cp(path.join(FIXTURES, 'build-cext'), root, { recursive: true });
      // The test proves the import and that build paths were mapped out of the compiled code.
      const testCommand = `{python} -c "import albatross_cext as m; assert m.add(2, 3) == 5; assert not m.where().startswith('/'), m.where()"`;
      buildA = await withCallerEnv({ TZ: 'America/New_York', LC_ALL: 'C', umask: 0o077 }, () =>
        buildProject({
          model: model('build-cext', { root, native: true, pythonVersions: pythons }),
          // Both builds compile for real: objects from the compiler cache would prove nothing.
          opts: testOptions({ testCommand, sourceDateEpoch: SDE, compilerCache: false }),
          log: memoryLogger(),
          outDir: path.join(tmp, 'cext'),
          mode: 'host',
          env: { workRoot: path.join(tmp, 'work-a') }
        })
      );
    });

    it('builds the C extension for every CPython >= 3.9 pyenv has, each wheel installed and imported', () => {
      expect(pythons.length).toBeGreaterThan(0);
      expect(buildA.manifest.failures).toEqual([]);
      expect(buildA.ok).toBe(true);
      const wheels = buildA.manifest.artifacts.filter((a) => a.kind === 'wheel');
      expect(wheels.map((w) => w.python!).sort(byVersionAsc)).toEqual(pythons);
      for (const w of wheels) {
        expect(w.pythonTag).toBe(`cp${w.python!.replace('.', '')}`);
        expect(w.platformTag).toMatch(/^linux_/);
        expect(w.repaired).toBe(false);
        expect(w.test?.status).toBe('passed');
      }
    });

    it('gives byte-identical artifacts from another directory, umask, TZ and locale', async () => {
      expect(buildA.ok).toBe(true);
      const hashesA = Object.fromEntries(buildA.manifest.artifacts.map((a) => [a.file, a.sha256]));
      expect(Object.keys(hashesA).length).toBeGreaterThan(1);
      const root = path.join(tmp, 'repro-b-longer-name', 'elsewhere', 'checkout');
      await fs.cp(path.join(FIXTURES, 'build-cext'), root, { recursive: true });
      const r = await withCallerEnv({ TZ: 'Asia/Kolkata', LC_ALL: 'C.UTF-8', umask: 0o002 }, () =>
        buildProject({
          model: model('build-cext', { root, native: true }),
          opts: testOptions({ sourceDateEpoch: SDE, test: false, compilerCache: false }),
          log: memoryLogger(),
          outDir: path.join(tmp, 'repro-out-b'),
          mode: 'host',
          // The same interpreter builds the sdist in both (the newest requested).
          pythons: [pythons[pythons.length - 1]],
          env: { workRoot: path.join(tmp, 'work-b-other') }
        })
      );
      expect(r.ok).toBe(true);
      expect(r.manifest.artifacts).toHaveLength(2);
      for (const a of r.manifest.artifacts)
        expect({ file: a.file, sha256: hashesA[a.file] }).toEqual({
          file: a.file,
          sha256: a.sha256
        });
    });
  });
});
