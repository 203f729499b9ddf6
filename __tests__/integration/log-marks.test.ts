import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execCapture } from '../../src/runtime/exec.js';

/** The terminal log of a failing run, as a person reads it: a failed stage is never ✓. */
const CLI = ['node', '--import', 'tsx', path.resolve('src/cli/index.ts')];
let out: string;
beforeAll(async () => {
  out = await fs.mkdtemp(path.join(os.tmpdir(), 'log-marks-'));
});
afterAll(async () => {
  await fs.rm(out, { recursive: true, force: true });
});

describe('stage marks in the terminal log', () => {
  it('a failing backend: ✗ sdist, ✗ build and ✗ report (stages that returned failure), never ✓', async () => {
    const r = await execCapture(
      [
        ...CLI,
        'run',
        path.resolve('fixtures', 'build-failing-backend'),
        '--out',
        out,
        '--no-verify'
      ],
      { timeoutMs: 300_000 }
    );
    expect(r.code).toBe(1);
    const marks = r.stderr
      .split('\n')
      .filter((l) => /^[✓✗] /.test(l))
      .map((l) => l.replace(/ \([\d.]+ s\)$/, '').replace(/ \(Python [\d.]+\)/, ''));
    expect(marks).toEqual(['✗ sdist', '✗ build', '✗ report']);
    expect(r.stderr).not.toMatch(/^✓ (sdist|build|report)/m);
  });
});
