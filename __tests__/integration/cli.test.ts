import { describe, expect, it } from '@jest/globals';
import * as path from 'node:path';
import { execCapture, ExecResult } from '../../src/runtime/exec.js';

/** The CLI as users run it: a subprocess, exit codes of the contract, no stack traces. */
const FIX = path.resolve('fixtures');
const CLI = ['node', '--import', 'tsx', path.resolve('src/cli/index.ts')];

function cli(...args: string[]): Promise<ExecResult> {
  return execCapture([...CLI, ...args], { timeoutMs: 120000 });
}

function noStackTrace(r: ExecResult): void {
  expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(r.stderr).not.toMatch(/Error: /);
}

describe('albatross detect / plan (subprocess)', () => {
  it('detect --json prints the contract fields; plain detect prints a summary', async () => {
    const [json, text] = await Promise.all([
      cli('detect', path.join(FIX, 'detect-poetry'), '--json'),
      cli('detect', path.join(FIX, 'detect-poetry'))
    ]);
    expect(json.code).toBe(0);
    const m = JSON.parse(json.stdout) as Record<string, unknown>;
    for (const k of [
      'name',
      'version',
      'backend',
      'buildRequires',
      'requiresPython',
      'pythonVersions',
      'native',
      'nativeReasons',
      'abi3',
      'entryPoints',
      'dependencies',
      'lockFiles'
    ]) {
      expect(m).toHaveProperty(k);
    }
    expect(m).toMatchObject({
      name: 'poetryapp',
      version: '0.9.0',
      requiresPython: '>=3.10,<4.0',
      lockFiles: ['poetry.lock']
    });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^project\s+poetryapp 0\.9\.0$/m);
    expect(text.stdout).toMatch(/^requires-python\s+>=3\.10,<4\.0$/m);
    expect(() => JSON.parse(text.stdout)).toThrow();
  });

  it('plan --json prints the matrix: one job per bucket for native code', async () => {
    const r = await cli(
      'plan',
      path.join(FIX, 'detect-maturin'),
      '--json',
      '--platforms',
      'manylinux-x86_64,manylinux-aarch64,musllinux-x86_64'
    );
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { matrix: { include: Record<string, unknown>[] } };
    expect(plan.matrix.include.map((j) => [j.id, j['runs-on'], j.platform])).toEqual([
      ['manylinux-x86_64', 'ubuntu-24.04', 'manylinux_2_28_x86_64'],
      ['manylinux-aarch64', 'ubuntu-24.04-arm', 'manylinux_2_28_aarch64'],
      ['musllinux-x86_64', 'ubuntu-24.04', 'musllinux_1_2_x86_64']
    ]);
    for (const j of plan.matrix.include)
      expect(j.python).toEqual(['3.10', '3.11', '3.12', '3.13', '3.14']);
  });

  it.each([
    [
      'detect',
      'a missing directory',
      'detect-does-not-exist',
      2,
      /albatross: project directory .*detect-does-not-exist does not exist/
    ],
    [
      'detect',
      'a directory with no project',
      'detect-no-project',
      2,
      /albatross: .*detect-no-project: no Python project found/
    ],
    [
      'detect',
      'malformed TOML',
      'detect-broken-toml',
      2,
      /albatross: .*detect-broken-toml\/pyproject\.toml:9:1: invalid TOML/
    ],
    [
      'plan',
      'requires-python no target allows',
      'detect-old-python',
      3,
      /albatross: requires-python '<3\.6' of oldpkg allows none of the target Pythons \(3\.10, 3\.11, 3\.12, 3\.13, 3\.14\)/
    ]
  ])(
    '%s on %s (%s) exits %i with one readable line',
    async (command, _what, fixture, code, message) => {
      const r = await cli(command, path.join(FIX, fixture), '--json');
      expect(r.code).toBe(code);
      // --json: the error as JSON on stdout too, so a script reading stdout gets JSON.
      const out = JSON.parse(r.stdout) as { error: { message: string; exitCode: number } };
      expect(out.error.exitCode).toBe(code);
      expect(`albatross: ${out.error.message}`).toMatch(message);
      expect(r.stderr).toMatch(message);
      noStackTrace(r);
    }
  );

  it('a bad --python is exit 2 naming the flag', async () => {
    const r = await cli('plan', path.join(FIX, 'detect-pdm'), '--python', '3.11');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--python.*3\.11 is not allowed by requires-python '>=3\.12'/);
    noStackTrace(r);
  });
});
