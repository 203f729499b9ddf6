import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageCommand } from '../../src/commands/package.js';
import { Manifest } from '../../src/manifest/model.js';
import { exec } from '../../src/runtime/exec.js';
import { sha256File } from '../../src/runtime/fsutil.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { pipEnv } from '../../src/runtime/pip.js';
import { discoverPythons, findPython } from '../../src/runtime/python.js';
import { testOptions } from '../helpers/env.js';

const FIXTURE = path.resolve('fixtures/package-app');
const SDE = 1700000000;

/** The fixture's wheel, built by real pip (flit_core from the local index) into `out`. */
async function buildWheel(src: string, out: string): Promise<void> {
  const py = (await findPython('3.11')) ?? (await discoverPythons())[0];
  const opts = testOptions();
  await exec(
    [py.executable, '-m', 'pip', 'wheel', '--quiet', '--no-deps', '--wheel-dir', out, src],
    { extraEnv: pipEnv(opts) },
    'building the fixture wheel'
  );
}

describe('zipapp (real pip, real Pythons)', () => {
  let work: string;
  let project: string;

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-pkg-zip-'));
    project = path.join(work, 'app');
    await fs.cp(FIXTURE, project, { recursive: true });
    await buildWheel(project, path.join(work, 'wheels'));
  }, 180_000);

  afterAll(async () => {
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  const run = async (out: string, extra: Parameters<typeof testOptions>[0] = {}) => {
    await fs.cp(path.join(work, 'wheels'), out, { recursive: true });
    const log = memoryLogger();
    const opts = testOptions({
      projectDir: project,
      out,
      sourceDateEpoch: SDE,
      cacheDir: path.join(work, 'cache'),
      ...extra
    });
    const r = await packageCommand({ opts, log });
    return { ...r, manifest: r.json as Manifest, log: log.lines };
  };

  it('builds a runnable, byte-identical zipapp', async () => {
    const out1 = path.join(work, 'out1');
    const a = await run(out1, { format: ['zipapp'] });
    expect(a.exitCode).toBe(0);
    const zipapp = a.manifest.artifacts.find((x) => x.kind === 'zipapp');
    expect(zipapp?.file).toBe('albatross-package-app-1.2.0.pyz');
    expect(zipapp?.details).toMatchObject({
      entryPoint: 'pkgapp.cli:main',
      dependencies: ['six-1.17.0-py2.py3-none-any.whl'],
      // requires-python >=3.8: the report's "min 3.8", which the runs below bear out.
      minPython: '3.8'
    });
    expect(a.manifest.phases.map((p) => p.name)).toContain('package');

    const pyz = path.join(out1, 'albatross-package-app-1.2.0.pyz');
    expect((await fs.readFile(pyz)).subarray(0, 23).toString()).toBe('#!/usr/bin/env python3\n');
    expect((await fs.stat(pyz)).mode & 0o777).toBe(0o755);
    for (const v of ['3.8', '3.12']) {
      const py = await findPython(v);
      if (!py) throw new Error(`CPython ${v} is needed (pyenv versions)`);
      expect(execFileSync(py.executable, [pyz], { encoding: 'utf8' }).trim()).toBe(
        'hello from pkgapp 1.2.0 (six 1.17.0, py3)'
      );
    }
    const listing = execFileSync('python3', ['-m', 'zipfile', '-l', pyz], { encoding: 'utf8' });
    expect(listing).toContain('__main__.py');
    expect(listing).not.toMatch(/__pycache__|\.pyc|bin\/pkgapp/);

    // Another time zone and another directory: the same bytes.
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
    try {
      const out2 = path.join(work, 'out2');
      const b = await run(out2, { format: ['zipapp'] });
      expect(b.exitCode).toBe(0);
      expect(await sha256File(path.join(out2, 'albatross-package-app-1.2.0.pyz'))).toBe(
        await sha256File(pyz)
      );
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });
});
