import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildCommand } from '../../src/commands/build.js';
import { packageCommand } from '../../src/commands/package.js';
import { verifyCommand } from '../../src/commands/verify.js';
import { Options, defaultOptions } from '../../src/config/options.js';
import { ConfigError } from '../../src/errors.js';
import { Manifest } from '../../src/manifest/model.js';
import { ownPath } from '../../src/manifest/paths.js';
import { PEX_TOOL, PEX_VERSION } from '../../src/package/pex.js';
import { execCapture } from '../../src/runtime/exec.js';
import { sha256File } from '../../src/runtime/fsutil.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { PythonInstall, findPython } from '../../src/runtime/python.js';
import { ensurePinnedTool } from '../../src/runtime/toolenv.js';
import { readZipMember } from '../../src/runtime/zipread.js';
import { Reproducibility } from '../../src/verify/model.js';

/**
 * The real pex (the pinned release, installed from pip's own configured index as a user's
 * machine would: no index options), PEX files run by real Pythons, and `verify` over them.
 */
const FIXTURES = path.resolve('fixtures');
const SDE = 1700000000;
const HELLO = 'hello from pkgapp 1.2.0 (six 1.17.0, py3)';
const PEX_FILE = 'albatross-package-app-1.2.0.pex';

/** Every route a Python program takes to the network goes to a closed port. */
const NO_NETWORK: Record<string, string> = Object.fromEntries(
  ['http_proxy', 'https_proxy', 'all_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY']
    .map((k) => [k, 'http://127.0.0.1:9'])
    .concat([
      ['no_proxy', ''],
      ['NO_PROXY', '']
    ])
);

let work: string;
let py38: PythonInstall;
let py312: PythonInstall;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-pex-'));
  const [a, b] = await Promise.all([findPython('3.8'), findPython('3.12')]);
  if (!a || !b) throw new Error('CPython 3.8 and 3.12 are needed (pyenv versions)');
  py38 = a;
  py312 = b;
});

afterAll(async () => {
  if (work) await fs.rm(work, { recursive: true, force: true });
});

/** Options as a user's: defaults, no index options (pip's own configuration decides). */
function userOptions(over: Partial<Options>): Options {
  return defaultOptions({ sourceDateEpoch: SDE, test: false, ...over });
}

/** Runs a PEX with a private PEX_ROOT; returns its output. */
async function runPexFile(python: PythonInstall, file: string, env: Record<string, string> = {}) {
  const root = await fs.mkdtemp(path.join(work, 'run-root-'));
  return execCapture([python.executable, file], { extraEnv: { PEX_ROOT: root, ...env } });
}

async function pexInfo(file: string): Promise<Record<string, unknown>> {
  const raw = await readZipMember(file, (n) => n === 'PEX-INFO');
  if (!raw) throw new Error(`${file} has no PEX-INFO`);
  return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
}

describe('pex: the pinned pex builds from local wheels only', () => {
  let project: string;
  let built: string;

  beforeAll(async () => {
    project = path.join(work, 'app');
    await fs.cp(path.join(FIXTURES, 'package-app'), project, { recursive: true });
    built = path.join(work, 'built');
    const b = await buildCommand({
      opts: userOptions({ projectDir: project, out: built, cacheDir: path.join(work, 'cache') }),
      log: memoryLogger()
    });
    expect(b.exitCode).toBe(0);
  }, 300_000);

  /** `package --format pex` into a copy of the built OUT. */
  const pack = async (name: string, over: Partial<Options> = {}) => {
    const out = path.join(work, name);
    await fs.cp(built, out, { recursive: true });
    const log = memoryLogger();
    const r = await packageCommand({
      opts: userOptions({
        projectDir: project,
        out,
        format: ['pex'],
        cacheDir: path.join(work, 'cache'),
        ...over
      }),
      log
    });
    return { ...r, out, manifest: r.json as Manifest, log: log.lines };
  };

  it('runs with its dependency on Pythons 3.8 and 3.12; a second build elsewhere, without network, is byte-identical', async () => {
    const a = await pack('pex1');
    expect(a.exitCode).toBe(0);
    const entry = a.manifest.artifacts.find((x) => x.kind === 'pex');
    expect(entry).toMatchObject({
      file: PEX_FILE,
      details: {
        entryPoint: 'pkgapp.cli:main',
        wheel: 'albatross_package_app-1.2.0-py3-none-any.whl',
        dependencies: ['six-1.17.0-py2.py3-none-any.whl'],
        // The report's "min 3.8": pex's interpreter constraint below says the same.
        minPython: '3.8'
      }
    });
    const file = path.join(a.out, PEX_FILE);
    expect((await fs.readFile(file)).subarray(0, 23).toString()).toBe('#!/usr/bin/env python3\n');
    expect(await pexInfo(file)).toMatchObject({
      build_properties: { pex_version: PEX_VERSION },
      entry_point: 'pkgapp.cli:main',
      interpreter_constraints: ['CPython>=3.8'],
      requirements: ['albatross-package-app==1.2.0'],
      distributions: {
        'albatross_package_app-1.2.0-py3-none-any.whl': expect.any(String),
        'six-1.17.0-py2.py3-none-any.whl': expect.any(String)
      },
      venv: false
    });
    for (const python of [py38, py312]) {
      const r = await runPexFile(python, file, NO_NETWORK);
      expect({ python: python.version, code: r.code, out: r.stdout.trim() }).toEqual({
        python: python.version,
        code: 0,
        out: HELLO
      });
    }

    // The pinned pex, started with every network route closed, a fresh PEX_ROOT (another
    // cache), another directory and time zone: the same bytes.
    const toolPython = await ensurePinnedTool(
      py38,
      PEX_TOOL,
      userOptions({ cacheDir: path.join(work, 'cache') })
    );
    const offlinePex = path.join(work, 'offline-pex');
    await fs.writeFile(
      offlinePex,
      [
        '#!/bin/sh',
        ...Object.entries(NO_NETWORK).map(([k, v]) => `export ${k}='${v}'`),
        `exec '${toolPython}' -m pex "$@"`,
        ''
      ].join('\n'),
      { mode: 0o755 }
    );
    // The closed routes do close the network: pip cannot reach PyPI through them.
    const control = await execCapture(
      [
        py38.executable,
        '-m',
        'pip',
        'download',
        '--isolated',
        '--no-deps',
        '--retries',
        '0'
      ].concat([
        '--timeout',
        '5',
        '--index-url',
        'https://pypi.org/simple',
        '-d',
        path.join(work, 'dl'),
        'six'
      ]),
      { extraEnv: NO_NETWORK }
    );
    expect(control.code).not.toBe(0);
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
    try {
      const b = await pack('elsewhere/pex2', {
        pex: offlinePex,
        cacheDir: path.join(work, 'cache-fresh')
      });
      expect(b.exitCode).toBe(0);
      expect(await sha256File(path.join(b.out, PEX_FILE))).toBe(await sha256File(file));
      expect(b.manifest.artifacts.find((x) => x.kind === 'pex')?.sha256).toBe(entry?.sha256);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  }, 300_000);

  it('pex-venv: the PEX runs in venv mode', async () => {
    const v = await pack('pex-venv', { pexVenv: true });
    expect(v.exitCode).toBe(0);
    const file = path.join(v.out, PEX_FILE);
    expect(await pexInfo(file)).toMatchObject({ venv: true });
    const r = await runPexFile(py312, file);
    expect([r.code, r.stdout.trim()]).toEqual([0, HELLO]);
  }, 300_000);

  it('a tool that cannot be installed (an index that does not answer) is exit 2 naming pex, the index and the option', async () => {
    const r = await pack('pex-noindex', {
      indexUrl: 'http://127.0.0.1:9/simple',
      cacheDir: path.join(work, 'cache-noindex')
    });
    expect(r.exitCode).toBe(2);
    const failure = r.manifest.failures.find((f) => f.kind === 'pex');
    expect(failure?.message).toMatch(
      /^pex: pex==\d+\.\d+\.\d+ could not be installed from index http:\/\/127\.0\.0\.1:9\/simple.* \(the index did not answer: Connection refused; no matching distribution for pex==[\d.]+\); set the `pex` option \(--pex\) to a local pex executable$/
    );
    expect(r.log.filter((l) => l.includes('could not be installed'))).toHaveLength(1);
    expect(r.manifest.artifacts.some((x) => x.kind === 'pex')).toBe(false);
  }, 300_000);

  it('a `pex` option that does not run, or is no pex 2 (a script standing in for pex 1.5.3), is exit 2 naming the option', async () => {
    const missing = await pack('pex-missing', { pex: path.join(work, 'no-such-pex') });
    expect(missing.exitCode).toBe(2);
    expect(missing.manifest.failures[0].message).toMatch(
      /^pex: the `pex` option names .*no-such-pex, which does not run/
    );
    const old = path.join(work, 'pex-1.5.3');
    await fs.writeFile(old, '#!/bin/sh\necho 1.5.3\n', { mode: 0o755 });
    const r = await pack('pex-old', { pex: old });
    expect(r.exitCode).toBe(2);
    expect(r.manifest.failures[0].message).toMatch(
      /the `pex` option names .*pex-1\.5\.3, which is pex 1\.5\.3; Albatross drives pex 2\.x/
    );
  }, 120_000);
});

describe('the one place a pinned tool is installed', () => {
  it('a version the index does not have is a ConfigError naming the tool, the index and the option', async () => {
    const err = await ensurePinnedTool(
      py312,
      { name: 'pex', version: '0.0.999', option: 'pex' },
      userOptions({ cacheDir: path.join(work, 'cache-missing') })
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(
      /^pex: pex==0\.0\.999 could not be installed from index \S+.* \(no matching distribution for pex==0\.0\.999\); set the `pex` option \(--pex\) to a local pex executable$/
    );
  }, 120_000);
});

describe('verify covers PEX files (real pex, double builds)', () => {
  /** verify with a PEX on a copy of `fixture`; `edit` may change the copy first. */
  const verify = async (fixture: string, edit?: (dir: string) => Promise<void>) => {
    const dir = path.join(work, `verify-${fixture}`);
    await fs.cp(path.join(FIXTURES, fixture), dir, { recursive: true });
    await edit?.(dir);
    const out = path.join(dir, 'out');
    const res = await verifyCommand({
      opts: userOptions({
        projectDir: dir,
        out,
        python: ['3.12'],
        mode: 'host',
        sensitivity: false,
        format: ['pex'],
        cacheDir: path.join(work, 'cache')
      }),
      log: memoryLogger()
    });
    const r = JSON.parse(
      await fs.readFile(ownPath(out, 'reproducibility'), 'utf8')
    ) as Reproducibility;
    const pex = r.artifacts.find((a) => a.file.endsWith('.pex'));
    if (!pex) throw new Error(`no PEX among ${r.artifacts.map((a) => a.file).join(', ')}`);
    return { code: res.exitCode, r, pex };
  };

  it('a clean application: the PEX is reproducible, member for member', async () => {
    const { code, pex } = await verify('verify-clean-pure');
    expect(pex).toMatchObject({ kind: 'pex', reproducible: true, differences: [] });
    expect(pex.sha256[0]).toBe(pex.sha256[1]);
    expect(code).toBe(0);
  }, 600_000);

  it('planted nondeterminism: the member inside the PEX is named with its cause; PEX-INFO follows it', async () => {
    const { code, pex } = await verify('verify-planted', async (dir) => {
      const toml = path.join(dir, 'pyproject.toml');
      await fs.appendFile(toml, '\n[project.scripts]\nvpl = "vpl:main"\n');
      await fs.appendFile(
        path.join(dir, 'vpl', '__init__.py'),
        '\n\ndef main():\n    print("vpl")\n'
      );
    });
    expect(code).toBe(1);
    expect(pex.reproducible).toBe(false);
    const whl = '.deps/albatross_verify_planted-1.0.0-py3-none-any.whl/';
    const of = (m: string) => pex.differences.find((d) => d.member === m);
    expect(of(`${whl}vpl/_stamp.py`)).toMatchObject({ kind: 'content', cause: 'timestamp' });
    expect(of(`${whl}vpl/_token.py`)).toMatchObject({ kind: 'content', cause: 'randomness' });
    for (const m of [
      'PEX-INFO',
      `${whl}.layout.json`,
      `${whl}albatross_verify_planted-1.0.0.dist-info/RECORD`
    ]) {
      expect(of(m)?.detail).toContain(`lists the hashes of differing members: ${whl}vpl/`);
      expect(of(m)?.cause).toMatch(/^(timestamp|randomness)$/);
    }
    expect(pex.differences.filter((d) => d.cause === 'unknown')).toEqual([]);
  }, 600_000);
});
