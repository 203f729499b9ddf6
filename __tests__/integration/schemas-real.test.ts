import { afterAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ownPath } from '../../src/manifest/paths.js';
import { execCapture } from '../../src/runtime/exec.js';
import { loadSchemas } from '../helpers/schemas.js';

/**
 * The JSON Schemas against real outputs: the CLI as a subprocess plans real fixtures, builds
 * and packages a real application with CPython 3.12, verifies a real double build, and
 * reports over both; every JSON it prints or writes must satisfy its schema.
 */
const FIX = path.resolve('fixtures');
const CLI = ['node', '--import', 'tsx', path.resolve('src/cli/index.ts')];
const check = await loadSchemas();
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-schemas-'));
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

async function json(args: string[]): Promise<unknown> {
  const r = await execCapture([...CLI, ...args, '--json'], {
    timeoutMs: 600_000,
    extraEnv: { GITHUB_ACTIONS: undefined, GITHUB_EVENT_PATH: undefined }
  });
  expect({ args, code: r.code, stderrTail: r.code ? r.stderr.slice(-2000) : '' }).toEqual({
    args,
    code: 0,
    stderrTail: ''
  });
  return JSON.parse(r.stdout);
}

const readJson = async (file: string): Promise<unknown> =>
  JSON.parse(await fs.readFile(file, 'utf8'));

describe('JSON Schemas against real CLI outputs', () => {
  it.each(['build-pure', 'detect-maturin', 'detect-abi3-setuppy', 'package-app'])(
    'plan %s --json',
    async (fixture) => {
      expect(check('plan', await json(['plan', path.join(FIX, fixture)]))).toEqual([]);
    }
  );

  it('build, package, verify and report', async () => {
    const app = path.join(FIX, 'package-app');
    const built = path.join(tmp, 'built');
    const common = ['--python', '3.12', '--out'];
    const manifest = await json(['build', app, ...common, built, '--mode', 'host']);
    expect(check('manifest', manifest)).toEqual([]);
    const packaged = await json(['package', app, ...common, built, '--format', 'zipapp']);
    expect(check('manifest', packaged)).toEqual([]);
    const onDisk = (await readJson(ownPath(built, 'manifest'))) as {
      artifacts: { kind: string }[];
    };
    expect(check('manifest', onDisk)).toEqual([]);
    expect(onDisk.artifacts.map((a) => a.kind).sort()).toEqual(['sdist', 'wheel', 'zipapp']);

    const verified = path.join(tmp, 'verified');
    const repro = await json([
      'verify',
      path.join(FIX, 'verify-clean-pure'),
      ...common,
      verified,
      '--mode',
      'host',
      '--no-test',
      '--no-sensitivity'
    ]);
    expect(check('reproducibility', repro)).toEqual([]);
    expect(check('reproducibility', await readJson(ownPath(verified, 'reproducibility')))).toEqual(
      []
    );

    const report = await json([
      'report',
      '--in',
      built,
      '--in',
      verified,
      '--out',
      path.join(tmp, 'r')
    ]);
    expect(check('report', report)).toEqual([]);
    expect(report).toMatchObject({ ok: true, totals: { jobs: 2, reproducible: true } });
  });
});
