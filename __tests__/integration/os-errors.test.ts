import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildProject } from '../../src/build/index.js';
import { FailureError } from '../../src/errors.js';
import { Manifest } from '../../src/manifest/model.js';
import { execCapture } from '../../src/runtime/exec.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { testOptions } from '../helpers/env.js';
import { localIndexFlags } from '../helpers/local-index.js';
import { projectModel } from '../helpers/model.js';

/**
 * OS errors while writing, on real file systems (small tmpfs mounts; the tests run as root):
 * each names the file and what was being written, is recorded as a failure where the manifest
 * can still be written, and leaves no temporary directory or half-written file behind.
 */
const CLI = ['node', '--import', 'tsx', path.resolve('src/cli/index.ts')];
const PURE = path.resolve('fixtures', 'build-pure');
let work: string;
const mounts: string[] = [];

async function tmpfs(name: string, options: string): Promise<string> {
  const dir = path.join(work, name);
  await fs.mkdir(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

const ownTemps = async (dir: string): Promise<string[]> =>
  (await fs.readdir(dir)).filter((n) => n.startsWith('albatross-'));

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'os-errors-'));
});
afterAll(async () => {
  for (const m of mounts) execFileSync('umount', [m]);
  await fs.rm(work, { recursive: true, force: true });
});

describe('OS errors name the path and the step', () => {
  it('ENOSPC (a real 32 KiB tmpfs as --out): the wheel write fails, named and recorded, nothing half-written', async () => {
    // A project whose sdist and wheel each take four pages (12 KB of incompressible data): the
    // sdist and the manifest fit, the wheel does not.
    const project = path.join(work, 'big');
    await fs.mkdir(path.join(project, 'src', 'bigpkg'), { recursive: true });
    let blob = Buffer.alloc(0);
    for (let h = Buffer.from('seed'); blob.length < 12000;) {
      h = createHash('sha256').update(h).digest();
      blob = Buffer.concat([blob, h]);
    }
    await fs.writeFile(path.join(project, 'src', 'bigpkg', 'blob.bin'), blob.subarray(0, 12000));
    await fs.writeFile(path.join(project, 'src', 'bigpkg', '__init__.py'), '');
    await fs.writeFile(
      path.join(project, 'pyproject.toml'),
      '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "bigpkg"\nversion = "1.0.0"\n\n[tool.setuptools.package-data]\nbigpkg = ["blob.bin"]\n'
    );
    const out = await tmpfs('small', 'size=32k');
    const tmp = path.join(work, 'tmp-small');
    await fs.mkdir(tmp);
    const r = await execCapture(
      [
        ...CLI,
        'build',
        project,
        '--out',
        out,
        '--python',
        '3.12',
        '--no-test',
        ...localIndexFlags()
      ],
      { env: { ...process.env, TMPDIR: tmp }, timeoutMs: 300_000 }
    );
    const message = `could not write the wheel ${out}/bigpkg-1.0.0-py3-none-any.whl: no space left on device (ENOSPC)`;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: wheel py3: ${message}`);
    expect(r.stderr).not.toMatch(/^ENOSPC|, write$/m);
    const manifest = JSON.parse(
      await fs.readFile(path.join(out, '.albatross', 'manifest.json'), 'utf8')
    ) as Manifest;
    expect(manifest.failures.map((f) => [f.target, f.message])).toEqual([['wheel py3', message]]);
    expect(manifest.artifacts.map((a) => a.file)).toEqual(['bigpkg-1.0.0.tar.gz']);
    // Nothing half-written, in OUT or beside the manifest; no temp dir left.
    expect((await fs.readdir(out)).sort()).toEqual(['.albatross', 'bigpkg-1.0.0.tar.gz']);
    expect(
      (await fs.readdir(path.join(out, '.albatross'))).filter((f) => f.endsWith('.tmp'))
    ).toEqual([]);
    expect(await ownTemps(tmp)).toEqual([]);
  });

  it('a failed first manifest write (a full tmpfs, library call without preflight) leaks no work dir', async () => {
    const out = await tmpfs('full', 'size=4k');
    await fs.writeFile(path.join(out, 'filler'), Buffer.alloc(4096));
    const tmp = path.join(work, 'tmp-full');
    await fs.mkdir(tmp);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const err = await buildProject({
        model: projectModel({ root: PURE, name: 'albatross-pure', pythonVersions: ['3.12'] }),
        opts: testOptions(),
        log: memoryLogger(),
        outDir: out,
        pythons: ['3.12'],
        mode: 'host'
      }).catch((e: unknown) => e);
      // The first manifest update (its lock, or the file) names the file and the disk full.
      expect(err).toBeInstanceOf(FailureError);
      expect((err as Error).message).toMatch(
        new RegExp(`${out}/\\.albatross/manifest\\.(json|lock)\\b.*\\(ENOSPC\\)$`)
      );
      expect(await ownTemps(tmp)).toEqual([]);
      // At most the (empty) directory of Albatross's own files was made.
      expect((await fs.readdir(out)).filter((f) => f !== '.albatross')).toEqual(['filler']);
      expect(await fs.readdir(path.join(out, '.albatross')).catch(() => [])).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('a 230-character project name builds: no ENAMETOOLONG on the way (temp names stay short)', async () => {
    const name = `long${'n'.repeat(226)}`;
    const project = path.join(work, 'long');
    await fs.mkdir(path.join(project, 'src', 'longpkg'), { recursive: true });
    await fs.writeFile(path.join(project, 'src', 'longpkg', '__init__.py'), '');
    await fs.writeFile(
      path.join(project, 'pyproject.toml'),
      `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "${name}"\nversion = "1.0.0"\n`
    );
    const out = path.join(work, 'long-out');
    const r = await execCapture(
      [...CLI, 'build', project, '--out', out, '--python', '3.12', ...localIndexFlags()],
      { timeoutMs: 300_000 }
    );
    expect(r.stderr).not.toMatch(/ENAMETOOLONG/);
    expect(r.code).toBe(0);
    expect((await fs.readdir(out)).sort()).toEqual([
      '.albatross',
      `${name}-1.0.0-py3-none-any.whl`,
      `${name}-1.0.0.tar.gz`
    ]);
  });
});
