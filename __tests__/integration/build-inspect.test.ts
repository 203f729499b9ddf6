import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { INSPECT_TOOLS } from '../../src/build/inspect/tools.js';
import { buildCommand } from '../../src/commands/build.js';
import { Options } from '../../src/config/options.js';
import { Manifest } from '../../src/manifest/model.js';
import { readManifest } from '../../src/manifest/io.js';
import { ExecResult, execCapture } from '../../src/runtime/exec.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { findPython } from '../../src/runtime/python.js';
import { TEST_MANYLINUX_IMAGE, dockerEnv } from '../helpers/docker.js';
import { localIndex, testOptions } from '../helpers/env.js';
import { toolWheelhouse } from '../helpers/tool-wheelhouse.js';

/**
 * Inspection as build-and-inspect-python-package and cibuildwheel run it: real wheels built
 * with real Pythons, then the pinned twine, check-wheel-contents and abi3audit, installed into
 * tool environments from the tools' wheelhouse beside the local index.
 */
const FIXTURES = path.resolve('fixtures');
const CLI = ['node', '--import', 'tsx', path.resolve('src/cli/index.ts')];
let tmp: string;
let cacheDir: string;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-inspect-'));
  cacheDir = path.join(tmp, 'cache');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A copy of a fixture (so pyproject edits stay in the test). */
async function copy(fixture: string, as = fixture): Promise<string> {
  const root = path.join(tmp, as);
  await fs.rm(root, { recursive: true, force: true });
  await fs.cp(path.join(FIXTURES, fixture), root, { recursive: true });
  return root;
}

async function build(
  root: string,
  over: Partial<Options> = {}
): Promise<{
  code: number;
  manifest: Manifest;
  files: string[];
  text: string;
  summary: string;
  log: string[];
}> {
  const log = memoryLogger();
  const r = await buildCommand({
    opts: testOptions({
      projectDir: root,
      out: 'dist',
      python: ['3.12'],
      mode: 'host',
      cacheDir,
      sourceDateEpoch: 1700000000,
      ...over
    }),
    log
  });
  const outDir = path.join(root, 'dist');
  const files = (await fs.readdir(outDir)).filter((f) => !f.startsWith('.')).sort();
  return {
    code: r.exitCode,
    manifest: (await readManifest(outDir))!,
    files,
    text: r.text ?? '',
    summary: r.summary ?? '',
    log: log.lines
  };
}

/** Each tool environment in the cache with the time its completion marker was written. */
async function toolEnvs(): Promise<Record<string, number>> {
  const dir = path.join(cacheDir, 'tools');
  const out: Record<string, number> = {};
  for (const e of (await fs.readdir(dir).catch(() => [])).sort())
    out[e] = (await fs.stat(path.join(dir, e, '.albatross-complete'))).mtimeMs;
  return out;
}

describe('abi3audit on abi3 wheels', () => {
  it('passes a wheel that uses only the stable ABI; every artifact carries its (empty) findings', async () => {
    const r = await build(await copy('inspect-abi3-clean'));
    expect(r.code).toBe(0);
    expect(r.files).toEqual([
      'inspect_abi3_clean-1.0.0-cp39-abi3-linux_x86_64.whl',
      'inspect_abi3_clean-1.0.0.tar.gz'
    ]);
    for (const a of r.manifest.artifacts) expect(a.inspection).toEqual([]);
    // One environment per tool, abi3audit's among them (installed because the wheel is abi3).
    const distInfos: string[] = [];
    for (const env of await fs.readdir(path.join(cacheDir, 'tools'))) {
      const lib = path.join(cacheDir, 'tools', env, 'lib');
      for (const py of await fs.readdir(lib))
        distInfos.push(...(await fs.readdir(path.join(lib, py, 'site-packages'))));
    }
    for (const [tool, { version }] of Object.entries(INSPECT_TOOLS))
      expect(
        distInfos.filter((d) => d === `${tool.replace(/-/g, '_')}-${version}.dist-info`)
      ).toHaveLength(1);
    expect(r.text).toMatch(/inspect_abi3_clean-1\.0\.0-cp39-abi3-linux_x86_64\.whl\s.*\sclean$/m);
  });

  it('fails a wheel that calls a function outside the stable ABI, naming the symbol; it never reaches OUT', async () => {
    const r = await build(await copy('inspect-abi3-violation'));
    expect(r.code).toBe(1);
    expect(r.files).toEqual(['inspect_abi3_violation-1.0.0.tar.gz']);
    expect(r.manifest.artifacts.map((a) => a.file)).toEqual([
      'inspect_abi3_violation-1.0.0.tar.gz'
    ]);
    expect(r.manifest.failures).toHaveLength(1);
    const f = r.manifest.failures[0];
    expect(f.kind).toBe('wheel');
    expect(f.message).toBe(
      'inspection failed: abi3audit non-abi3-symbol: abi3violation.abi3.so uses _Py_HashBytes, which is not in the stable ABI'
    );
    expect(f.logTail).toContain('error: abi3audit non-abi3-symbol');
    expect(r.text).toContain('_Py_HashBytes');
    expect(r.summary).toContain('_Py_HashBytes');
  });

  it('audits a container-built wheel on the host the same way', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = dockerEnv().DOCKER_HOST;
    try {
      const r = await build(await copy('inspect-abi3-violation', 'violation-ct'), {
        mode: 'container',
        image: TEST_MANYLINUX_IMAGE,
        python: ['3.11']
      });
      expect(r.code).toBe(1);
      expect(r.files).toEqual(['inspect_abi3_violation-1.0.0.tar.gz']);
      const f = r.manifest.failures[0];
      expect(f.target).toMatch(/^wheel cp311 /);
      expect(f.message).toContain('abi3audit non-abi3-symbol');
      expect(f.message).toContain('_Py_HashBytes');
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});

describe('twine check --strict and check-wheel-contents', () => {
  it('warns about a stray top-level tests package (W005) and lists the finding in the entry, the table and the summary', async () => {
    const root = await copy('inspect-stray-tests');
    const r = await build(root);
    expect(r.code).toBe(0);
    const wheel = r.manifest.artifacts.find((a) => a.kind === 'wheel')!;
    expect(wheel.inspection).toEqual([
      {
        tool: 'check-wheel-contents',
        code: 'W005',
        message: 'Wheel contains common toplevel name in library: tests/',
        level: 'warning'
      },
      {
        tool: 'check-wheel-contents',
        code: 'W009',
        message: 'Wheel contains multiple toplevel library entries: inspect_stray/, tests/',
        level: 'warning'
      }
    ]);
    expect(r.manifest.artifacts.find((a) => a.kind === 'sdist')!.inspection).toEqual([]);
    expect(r.text).toMatch(/inspect_stray_tests-1\.0\.0-py3-none-any\.whl\s.*\s2 warnings$/m);
    expect(r.text).toContain(
      '! inspect_stray_tests-1.0.0-py3-none-any.whl: check-wheel-contents W005 (warning): Wheel contains common toplevel name in library: tests/'
    );
    expect(r.summary).toContain('| check-wheel-contents | W005 | ⚠️ warning |');
    expect(r.log.some((l) => l.includes('W005'))).toBe(true);

    // A second build finds every tool environment in the cache: nothing is reinstalled.
    const before = await toolEnvs();
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(2);
    const again = await build(root);
    expect(again.code).toBe(0);
    expect(await toolEnvs()).toEqual(before);
  });

  it('fails the wheel on check-wheel-contents findings with fail-on-inspection = warning', async () => {
    const r = await build(await copy('inspect-stray-tests', 'stray-strict'), {
      failOnInspection: 'warning'
    });
    expect(r.code).toBe(1);
    expect(r.files).toEqual(['inspect_stray_tests-1.0.0.tar.gz']);
    expect(r.manifest.failures[0].message).toBe(
      'inspection failed: check-wheel-contents W005: Wheel contains common toplevel name in library: tests/ (and 1 more)'
    );
  });

  it("lets check-wheel-contents read the project's own [tool.check-wheel-contents]", async () => {
    const root = await copy('inspect-stray-tests', 'stray-ignored');
    await fs.appendFile(
      path.join(root, 'pyproject.toml'),
      '\n[tool.check-wheel-contents]\nignore = ["W005", "W009"]\n'
    );
    const r = await build(root, { failOnInspection: 'warning' });
    expect(r.code).toBe(0);
    expect(r.manifest.artifacts.map((a) => a.inspection)).toEqual([[], []]);
  });

  it('fails the sdist and the wheel whose long description PyPI would not render', async () => {
    const r = await build(await copy('inspect-bad-readme'));
    expect(r.code).toBe(1);
    expect(r.files).toEqual([]);
    expect(r.manifest.artifacts).toEqual([]);
    expect(r.manifest.failures.map((f) => [f.target, f.message])).toEqual([
      [
        'sdist',
        'inspection failed: twine long_description: `long_description` has syntax errors in markup and would not be rendered on PyPI.'
      ],
      [
        'wheel py3',
        'inspection failed: twine long_description: `long_description` has syntax errors in markup and would not be rendered on PyPI.'
      ]
    ]);
    expect(r.manifest.failures[0].logTail).toContain('long_description');
  });

  it('with fail-on-inspection = never, publishes them with the errors listed; a local twine executable runs instead of the pinned one', async () => {
    // The `twine` option: a wrapper around another installation of twine.
    const venv = path.join(tmp, 'own-twine');
    const py = (await findPython('3.12'))!;
    expect((await execCapture([py.executable, '-m', 'venv', venv])).code).toBe(0);
    const idx = localIndex();
    const pip = await execCapture([
      path.join(venv, 'bin', 'python'),
      '-m',
      'pip',
      'install',
      '--quiet',
      '--index-url',
      idx.indexUrl,
      ...idx.extraIndexUrl.flatMap((u) => ['--extra-index-url', u]),
      ...idx.findLinks.flatMap((u) => ['--find-links', u]),
      `twine==${INSPECT_TOOLS.twine.version}`
    ]);
    expect(pip.code).toBe(0);
    const twine = path.join(venv, 'bin', 'twine');
    const r = await build(await copy('inspect-bad-readme', 'bad-readme-never'), {
      failOnInspection: 'never',
      twine
    });
    expect(r.code).toBe(0);
    expect(r.files).toEqual([
      'inspect_bad_readme-1.0.0-py3-none-any.whl',
      'inspect_bad_readme-1.0.0.tar.gz'
    ]);
    for (const a of r.manifest.artifacts)
      expect(a.inspection).toEqual([
        expect.objectContaining({ tool: 'twine', code: 'long_description', level: 'error' })
      ]);
    expect(r.text).toMatch(/inspect_bad_readme-1\.0\.0\.tar\.gz\s.*\s1 error$/m);
    expect(r.summary).toContain('| twine | long&#95;description | ❌ error |');
  });
});

describe('tools that cannot be had', () => {
  const idx = localIndex();
  /** The local index without the tools' wheelhouse: build backends only. */
  const backendsOnly = [
    '--index-url',
    idx.indexUrl,
    ...idx.extraIndexUrl.flatMap((u) => ['--extra-index-url', u]),
    ...idx.findLinks.filter((f) => f !== toolWheelhouse()).flatMap((u) => ['--find-links', u])
  ];

  /** `albatross build` of the stray-tests fixture through the CLI with these extra flags. */
  async function cliBuild(name: string, flags: string[]): Promise<ExecResult> {
    const root = await copy('inspect-stray-tests', name);
    return execCapture(
      [...CLI, 'build', root, '--out', path.join(tmp, `${name}-out`), '--python', '3.12'].concat([
        '--no-test',
        ...backendsOnly,
        ...flags
      ]),
      { timeoutMs: 300_000 }
    );
  }

  it('an index without the pinned tool is exit 2 naming the tool, the index and the option', async () => {
    const r = await cliBuild('no-tools', ['--cache-dir', path.join(tmp, 'empty-cache')]);
    expect(r.code).toBe(2);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('albatross: '));
    expect(errors).toEqual([
      `albatross: twine: twine 7.0.0 could not be installed from ${[idx.indexUrl, ...idx.extraIndexUrl].join(', ')} and find-links ${idx.findLinks.filter((f) => f !== toolWheelhouse()).join(', ')} (ERROR: No matching distribution found for twine==7.0.0); set the \`twine\` option to the path of a twine executable, or \`inspect\` to false`
    ]);
    expect(await fs.readdir(path.join(tmp, 'no-tools-out')).catch(() => [])).toEqual([]);
  });

  it('an option naming an executable that does not run is exit 2 naming the option', async () => {
    const exe = path.join(tmp, 'nowhere', 'check-wheel-contents');
    const r = await cliBuild('bad-option', [
      '--check-wheel-contents',
      exe,
      '--cache-dir',
      cacheDir,
      '--find-links',
      toolWheelhouse()
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `albatross: check-wheel-contents: the \`check-wheel-contents\` option names ${exe}, which does not run (spawn ${exe} ENOENT)`
    );
  });
});
