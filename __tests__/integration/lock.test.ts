import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildCommand } from '../../src/commands/build.js';
import { lockCommand } from '../../src/commands/lock.js';
import { packageCommand } from '../../src/commands/package.js';
import { Options, defaultOptions } from '../../src/config/options.js';
import { exitCodeOf } from '../../src/errors.js';
import { LockResult } from '../../src/lock/index.js';
import { Manifest } from '../../src/manifest/model.js';
import { exec } from '../../src/runtime/exec.js';
import { sha256, sha256File } from '../../src/runtime/fsutil.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { findPython } from '../../src/runtime/python.js';
import { UV_VERSION } from '../../src/runtime/uv.js';
import { TEST_PYTHON_ARCHIVE } from '../helpers/docker.js';

/**
 * The real uv (pinned, installed from the real index into a tool env), the real pip and the
 * real index: `albatross lock`, `--locked` builds and packages, the installer both ways.
 */
const FIXTURE = path.resolve('fixtures/package-app');
const SDE = 1700000000;
const PY = '3.12';

let work: string;
let cache: string;
/** Options against the real index (uv reads no pip configuration; pip keeps its own). */
const opts = (projectDir: string, o: Partial<Options> = {}): Options =>
  defaultOptions({
    projectDir,
    python: [PY],
    mode: 'host',
    sourceDateEpoch: SDE,
    cacheDir: cache,
    // Offline locked builds have no index to install twine from: inspection is tested elsewhere.
    inspect: false,
    ...o
  });

async function copyProject(name: string): Promise<string> {
  const dir = path.join(work, name);
  await fs.cp(FIXTURE, dir, { recursive: true });
  return dir;
}

/** Runs a command as the CLI would: its exit code, its error message. */
async function run(
  cmd: typeof buildCommand,
  o: Options
): Promise<{ code: number; json?: unknown; message: string; log: string[] }> {
  const log = memoryLogger();
  try {
    const r = await cmd({ opts: o, log });
    return { code: r.exitCode, json: r.json, message: '', log: log.lines };
  } catch (e) {
    return { code: exitCodeOf(e), message: (e as Error).message, log: log.lines };
  }
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-lock-'));
  cache = path.join(work, 'cache');
});

afterAll(async () => {
  if (work) await fs.rm(work, { recursive: true, force: true });
});

describe('albatross lock (real uv, real pip lock)', () => {
  let project: string;
  beforeAll(async () => {
    project = await copyProject('app');
  });

  it('writes PEP 751 locks of the runtime and build requirements, byte-identical when re-run', async () => {
    const r = await run(lockCommand, opts(project, { python: [] }));
    expect(r.message).toBe('');
    expect(r.code).toBe(0);
    const res = r.json as LockResult;
    expect(res.locker).toBe('uv');
    expect(res.python).toBe('3.10'); // the lowest target that requires-python allows
    const runtime = await fs.readFile(path.join(project, 'pylock.toml'), 'utf8');
    const build = await fs.readFile(path.join(project, 'pylock.build.toml'), 'utf8');
    expect(runtime).toMatch(
      /^lock-version = "1\.0"\ncreated-by = "uv"\nrequires-python = ">=3\.10"\n/
    );
    expect(runtime).toMatch(/\[\[packages\]\]\nname = "six"\nversion = "1\.\d+\.\d+"\n/);
    expect(runtime).toMatch(
      /wheels = \[\{ url = "https:\/\/[^"]+six-[^"]+\.whl".*hashes = \{ sha256 = "[0-9a-f]{64}" \} \}\]/
    );
    expect(runtime).toMatch(/sdist = \{ url = "https:\/\/[^"]+six-[^"]+\.tar\.gz"/);
    expect(runtime).toContain(
      '[tool.albatross]\nproject = "albatross-package-app"\nkind = "runtime"'
    );
    expect(runtime).not.toMatch(/^#/m); // no header comment with the command line
    // build-system.requires (flit_core), what the backend's hooks add, and the frontend.
    expect(build).toMatch(/name = "flit-core"\nversion = "[^"]+"/);
    expect(build).toMatch(/name = "build"\n/);
    const again = await run(lockCommand, opts(project, { python: [] }));
    expect((again.json as LockResult).files.map((f) => f.changed)).toEqual([false, false]);
    expect(await fs.readFile(path.join(project, 'pylock.toml'), 'utf8')).toBe(runtime);
    expect(await fs.readFile(path.join(project, 'pylock.build.toml'), 'utf8')).toBe(build);
    expect(res.files.map((f) => f.sha256)).toEqual([sha256(runtime), sha256(build)]);
  }, 300_000);

  it('falls back to pip lock with installer = pip', async () => {
    const dir = await copyProject('app-pip');
    const r = await run(lockCommand, opts(dir, { installer: 'pip' }));
    expect(r.message).toBe('');
    expect((r.json as LockResult).locker).toBe('pip');
    const text = await fs.readFile(path.join(dir, 'pylock.toml'), 'utf8');
    expect(text).toMatch(
      /^lock-version = "1\.0"\ncreated-by = "pip"\nrequires-python = "==3\.12\.\*"\n/
    );
    expect(text).toMatch(/name = "six"[\s\S]*sha256 = "[0-9a-f]{64}"/);
  }, 300_000);

  it('builds --locked from the locked files, then again offline; the manifest names the locks', async () => {
    const out = path.join(work, 'locked-out');
    const r = await run(buildCommand, opts(project, { locked: true, out }));
    expect(r.message).toBe('');
    const m = r.json as Manifest;
    expect(m.failures).toEqual([]);
    expect(r.code).toBe(0);
    expect(m.artifacts.map((a) => a.kind).sort()).toEqual(['sdist', 'wheel']);
    expect(m.artifacts.find((a) => a.kind === 'wheel')?.test?.status).toBe('passed');
    expect(m.locks).toEqual([
      { file: 'pylock.toml', sha256: await sha256File(path.join(project, 'pylock.toml')) },
      {
        file: 'pylock.build.toml',
        sha256: await sha256File(path.join(project, 'pylock.build.toml'))
      }
    ]);
    // No index at all now: the locked wheelhouses in the cache hold every file.
    const offline = await run(
      buildCommand,
      opts(project, { locked: true, out: path.join(work, 'locked-offline'), noIndex: true })
    );
    expect(offline.message).toBe('');
    const o = offline.json as Manifest;
    expect(o.failures).toEqual([]);
    expect(offline.code).toBe(0);
    expect(o.artifacts.map((a) => a.sha256)).toEqual(m.artifacts.map((a) => a.sha256));
  }, 600_000);

  it('refuses --locked without a lock, a foreign lock and a stale lock (exit 2, naming the file)', async () => {
    const none = await copyProject('app-nolock');
    const a = await run(buildCommand, opts(none, { locked: true, out: path.join(work, 'x1') }));
    expect(a.code).toBe(2);
    expect(a.message).toMatch(
      /^locked: .*app-nolock\/pylock\.toml does not exist; run `albatross lock` first/
    );

    const foreign = await copyProject('app-foreign');
    for (const f of ['pylock.toml', 'pylock.build.toml']) {
      const text = await fs.readFile(path.join(project, f), 'utf8');
      await fs.writeFile(
        path.join(foreign, f),
        text.replace('project = "albatross-package-app"', 'project = "someone-else"')
      );
    }
    const b = await run(buildCommand, opts(foreign, { locked: true, out: path.join(work, 'x2') }));
    expect(b.code).toBe(2);
    expect(b.message).toBe(
      'pylock.toml: a lock of another project (someone-else), not albatross-package-app; run `albatross lock` to update it'
    );

    const stale = await copyProject('app-stale');
    for (const f of ['pylock.toml', 'pylock.build.toml'])
      await fs.copyFile(path.join(project, f), path.join(stale, f));
    const pyproject = path.join(stale, 'pyproject.toml');
    await fs.writeFile(
      pyproject,
      (await fs.readFile(pyproject, 'utf8')).replace('"six>=1.16"', '"six>=99"')
    );
    const c = await run(buildCommand, opts(stale, { locked: true, out: path.join(work, 'x3') }));
    expect(c.code).toBe(2);
    expect(c.message).toMatch(
      /^pylock\.toml: six 1\.\d+\.\d+ is locked, which does not satisfy the requirement six>=99; run `albatross lock`/
    );
  }, 300_000);

  it('fails (exit 1) naming the lock and the file when a download does not match its hash', async () => {
    const dir = await copyProject('app-tampered');
    await fs.copyFile(path.join(project, 'pylock.build.toml'), path.join(dir, 'pylock.build.toml'));
    const text = await fs.readFile(path.join(project, 'pylock.toml'), 'utf8');
    // Every six file's hash replaced: whichever pip downloads, it cannot match.
    await fs.writeFile(
      path.join(dir, 'pylock.toml'),
      text.replace(
        /(name = "six"[\s\S]*?)(\n\[\[packages\]\]|\n\[tool)/,
        (_, six: string, rest: string) =>
          six.replace(/sha256 = "[0-9a-f]{64}"/g, `sha256 = "${'0'.repeat(64)}"`) + rest
      )
    );
    // OUT as the locked build left it: its wheel and its manifest.
    const out = path.join(work, 'tampered-out');
    await fs.cp(path.join(work, 'locked-out'), out, { recursive: true });
    const r = await run(packageCommand, opts(dir, { locked: true, out, format: ['zipapp'] }));
    expect(r.code).toBe(1);
    const m = r.json as Manifest;
    expect(m.failures.map((f) => f.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `app-tampered/pylock\\.toml: six-[^ ]+ \\(six==[^)]+\\) does not match the locked sha256 \\(expected ${'0'.repeat(64)}, downloaded [0-9a-f]{64}\\)`
        )
      )
    ]);
    expect(m.artifacts.filter((a) => a.kind === 'zipapp')).toEqual([]);
  }, 300_000);

  it('installer = uv without a uv is exit 2 naming the option', async () => {
    const dir = await copyProject('app-nouv');
    const a = await run(
      buildCommand,
      opts(dir, { installer: 'uv', uv: '/nonexistent/uv', out: path.join(work, 'y1') })
    );
    expect(a.code).toBe(2);
    expect(a.message).toMatch(/^uv: \/nonexistent\/uv cannot be run/);
    // An index without uv, and a cache without it: it cannot be installed.
    const b = await run(
      buildCommand,
      opts(dir, {
        installer: 'uv',
        noIndex: true,
        findLinks: [path.join(work, 'empty')],
        cacheDir: path.join(work, 'cache-nouv'),
        out: path.join(work, 'y2')
      })
    );
    expect(b.code).toBe(2);
    expect(b.message).toMatch(
      new RegExp(
        `^uv: uv==${UV_VERSION.replace(/\./g, '\\.')} could not be installed from no index \\(no-index\\); find-links .*; set the \`uv\` option \\(--uv\\) to a local uv executable, or installer = pip$`
      )
    );
  }, 300_000);
});

describe('installer: the same artifacts with uv and with pip (real uv, real pip)', () => {
  it('builds a zipapp and an image both ways, byte for byte the same; uv really ran', async () => {
    const project = await copyProject('app-inst');
    const wheels = path.join(work, 'inst-wheels');
    const py = (await findPython(PY)) ?? (await findPython('3.11'));
    await exec(
      [
        py!.executable,
        '-m',
        'pip',
        'wheel',
        '--quiet',
        '--no-deps',
        '--wheel-dir',
        wheels,
        project
      ],
      {},
      'building the fixture wheel'
    );
    // The pinned uv, behind a shim that records every call.
    const uvExe = path.join(work, 'uv-shim');
    const calls = path.join(work, 'uv-calls.log');
    const lock = await run(lockCommand, opts(project, { python: [] })); // installs the pinned uv
    expect(lock.code).toBe(0);
    const real = execFileSync('find', [cache, '-path', '*/bin/uv', '-type', 'f'], {
      encoding: 'utf8'
    }).split('\n')[0];
    await fs.writeFile(uvExe, `#!/bin/sh\necho "$1 $2" >> '${calls}'\nexec '${real}' "$@"\n`, {
      mode: 0o755
    });
    const formats = existsSync(TEST_PYTHON_ARCHIVE) ? ['zipapp', 'image'] : ['zipapp'];
    const pack = async (installer: 'uv' | 'pip'): Promise<Manifest> => {
      const out = path.join(work, `inst-${installer}`);
      await fs.cp(wheels, out, { recursive: true });
      const r = await run(
        packageCommand,
        opts(project, {
          out,
          installer,
          uv: installer === 'uv' ? uvExe : '',
          format: formats,
          base: `docker-archive:${TEST_PYTHON_ARCHIVE}`,
          imageName: 'albatross-test/inst',
          cacheDir: path.join(work, `cache-${installer}`)
        })
      );
      expect(r.message).toBe('');
      expect(r.code).toBe(0);
      return r.json as Manifest;
    };
    const viaPip = await pack('pip');
    const viaUv = await pack('uv');
    const digests = (m: Manifest): string[][] =>
      m.artifacts
        .filter((a) => a.kind !== 'wheel' && a.kind !== 'sdist')
        .map((a) => [a.kind, a.file, a.sha256])
        .sort();
    expect(digests(viaUv)).toEqual(digests(viaPip));
    expect(digests(viaUv).map((d) => d[0])).toEqual([...formats].sort());
    expect(await fs.readFile(calls, 'utf8')).toMatch(/^pip install$/m);
  }, 600_000);
});
