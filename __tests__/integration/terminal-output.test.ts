import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execCapture, ExecResult } from '../../src/runtime/exec.js';

/**
 * The terminal as a person reads it, from the real CLI: no line said twice, a failing test's
 * own output once with the command as it ran, verify's lines naming what changed.
 */
const CLI = ['node', '--import', 'tsx', path.resolve('src/cli/index.ts')];
const GREETER = path.resolve('examples', 'greeter');
let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'terminal-output-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<ExecResult> {
  return execCapture([...CLI, ...args], { timeoutMs: 300_000 });
}

/** How many lines of `text` match `re`. */
const count = (text: string, re: RegExp): number =>
  text.split('\n').filter((l) => re.test(l)).length;

describe('albatross run: every line once', () => {
  it('SOURCE_DATE_EPOCH once across build and verify, one table with each verdict', async () => {
    const r = await cli('run', GREETER, '--out', path.join(tmp, 'run'));
    expect({ code: r.code, err: r.code ? r.stderr.slice(-2000) : '' }).toEqual({
      code: 0,
      err: ''
    });
    // Three builds (the run's, verify's second and sensitivity) share the value: one line.
    expect(count(r.stderr, /SOURCE_DATE_EPOCH=/)).toBe(1);
    expect(count(r.stderr, /^skipping Python/)).toBeLessThanOrEqual(1);
    // No progress line repeats, except verify's per-build lines, which carry their build's label.
    const lines = r.stderr.split('\n').filter((l) => l && !/^[✓✗] /.test(l));
    expect(lines.filter((l, i) => lines.indexOf(l) !== i)).toEqual([]);
    expect(r.stdout).toMatch(
      /^FILE\s+KIND\s+PLATFORM\s+PY\s+SIZE\s+SHA256\s+TEST\s.*REPRODUCIBLE$/m
    );
    expect(r.stdout).toMatch(
      /^greeter-1\.0\.0-py3-none-any\.whl\s+wheel\s.*\spassed\s.*\sreproducible$/m
    );
    expect(r.stdout).toMatch(/^greeter-1\.0\.0\.pyz\s+zipapp\s.*\sreproducible$/m);
    // Every phase that ran has its time, verify's from its own report.
    expect(r.stdout).toMatch(/^TIME {2}build [\d.]+ s · package [\d.]+ s · verify [\d.]+ s$/m);
  });

  it('a failing test-command: its own output once, the command with {python} and {project} expanded', async () => {
    const out = path.join(tmp, 'failing');
    const r = await cli(
      'run',
      GREETER,
      '--out',
      out,
      '--no-verify',
      '--test-command',
      // The output is joined at run time, so the command line itself never contains it.
      `{python} -c "import sys; print(' '.join(['boom', 'from', 'the', 'test']), sys.argv[1]); sys.exit(3)" {project}`
    );
    expect(r.code).toBe(1);
    const all = `${r.stdout}\n${r.stderr}`;
    expect(all).not.toContain('{python}');
    expect(all).not.toContain('{project}');
    // The output line, once, with {project} as the unpacked sdist the wheel was built from.
    const said = all.split('\n').filter((l) => l.includes('boom from the test'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/boom from the test \/\S+\/src\/greeter-1\.0\.0$/);
    // The command as it ran names the test venv's interpreter; the build log is not repeated.
    expect(r.stdout).toMatch(
      /^ {2}✗ wheel py3 \(Python 3\.13\): test failed: \/\S+\/test\/venv\/bin\/python -c /m
    );
    expect(r.stdout).toMatch(/^ {6}\(exit code 3\)$/m);
    // The command as it ran appears once: with the results, not also in the progress line.
    expect(count(all, /test failed: \/\S+\/test\/venv\/bin\/python -c /)).toBe(1);
    expect(r.stderr).toMatch(/^error: wheel py3: test failed \(exit code 3\); /m);
    expect(all).not.toMatch(/Successfully built|running install_scripts|^\$ /m);
    // The manifest records the same: the test's output, not the build's.
    const m = JSON.parse(
      await fs.readFile(path.join(out, '.albatross', 'manifest.json'), 'utf8')
    ) as {
      failures: { target: string; message: string; logTail: string }[];
    };
    const f = m.failures.find((x) => x.target === 'wheel py3')!;
    expect(f.message).toMatch(/^test failed: \/\S+\/bin\/python -c /);
    expect(f.logTail).toMatch(/^boom from the test \/\S+\/src\/greeter-1\.0\.0\n\(exit code 3\)$/);
  });
});

describe('albatross run: a failed build is reported, not verified', () => {
  it('verify says it skipped; the report and its failures still print', async () => {
    const out = path.join(tmp, 'failed-run');
    const r = await cli(
      'run',
      GREETER,
      '--out',
      out,
      '--test-command',
      '{python} -c "raise SystemExit(4)"'
    );
    expect(r.code).toBe(1);
    expect(count(r.stderr, /verify: skipped, the build failed/)).toBe(1);
    // No second or sensitivity build ran.
    expect(r.stderr).not.toMatch(/^\[(second|sensitivity)\]/m);
    expect(r.stdout).toMatch(/^FAILURES$/m);
    expect(r.stdout).toMatch(/^ {6}\(exit code 4\)$/m);
    await expect(fs.stat(path.join(out, '.albatross', 'summary.md'))).resolves.toBeTruthy();
  });
});

describe('build and package: counted steps, the same table', () => {
  it('wheels per Python are counted [n/m]; build prints the artifact table', async () => {
    const r = await cli(
      'build',
      path.resolve('fixtures', 'build-cext'),
      '--out',
      path.join(tmp, 'cext'),
      '--mode',
      'host',
      '--python',
      '3.11,3.12',
      '--no-inspect'
    );
    expect({ code: r.code, err: r.code ? r.stderr.slice(-2000) : '' }).toEqual({
      code: 0,
      err: ''
    });
    expect(r.stderr).toMatch(/^▸ \[1\/2\] wheel cp311 \(Python 3\.11, host\) …$/m);
    expect(r.stderr).toMatch(/^✓ \[2\/2\] wheel cp312 \(Python 3\.12, host\) \([\d.]+ s\)$/m);
    // The sdist is one step, not counted.
    expect(r.stderr).toMatch(/^▸ sdist \(Python 3\.12\) …$/m);
    expect(r.stdout).toMatch(/^FILE\s+KIND\s+PLATFORM\s+PY\s+SIZE\s+SHA256\s+TEST$/m);
    expect(
      count(r.stdout, /^albatross_cext-1\.0\.0-cp31[12]-cp31[12]-linux_x86_64\.whl\s+wheel\s/)
    ).toBe(2);
  });

  it('package prints the table build prints, for what it added', async () => {
    const out = path.join(tmp, 'package');
    const r = await cli(
      'package',
      GREETER,
      '--out',
      out,
      '--format',
      'zipapp,venv',
      '--no-inspect'
    );
    expect({ code: r.code, err: r.code ? r.stderr.slice(-2000) : '' }).toEqual({
      code: 0,
      err: ''
    });
    // Formats are counted like wheels.
    expect(r.stderr).toMatch(/^✓ \[1\/2\] package zipapp /m);
    expect(r.stderr).toMatch(/^✓ \[2\/2\] package venv /m);
    expect(r.stdout.split('\n')[0]).toBe('packaged: 2 artifacts');
    expect(r.stdout).toMatch(/^FILE\s+KIND\s+PLATFORM\s+PY\s+SIZE\s+SHA256$/m);
    expect(r.stdout).toMatch(
      /^greeter-1\.0\.0\.pyz\s+zipapp\s+any\s+≥3\.\d+\s+[\d.]+ kB\s+[0-9a-f]{12}$/m
    );
  });
});

describe('albatross verify: what changed, not the diff header', () => {
  it('names the member and its first changed pair, or the cause', async () => {
    const r = await cli(
      'verify',
      path.resolve('fixtures', 'verify-planted'),
      '--out',
      path.join(tmp, 'verify'),
      '--no-sensitivity'
    );
    expect(r.code).toBe(1);
    expect(count(r.stderr, /SOURCE_DATE_EPOCH=/)).toBe(1);
    expect(r.stdout).not.toContain('--- first');
    expect(r.stdout).toMatch(
      /^ {6}vpl\/_stamp\.py: content, likely timestamp: BUILD_TIME = [\d.]+ → BUILD_TIME = [\d.]+$/m
    );
    expect(r.stdout).toMatch(/^ {6}vpl\/_token\.py: content, likely randomness: BUILD_TOKEN = '/m);
    expect(r.stdout).toMatch(
      /RECORD: content, likely timestamp: lists the hashes of differing members: vpl\/_stamp\.py, vpl\/_token\.py$/m
    );
    expect(r.stdout).toMatch(
      /^albatross_verify_planted-1\.0\.0-py3-none-any\.whl\s+wheel\s+any\s+[0-9a-f]{12} \/ [0-9a-f]{12}\s+NOT reproducible$/m
    );
  });
});
