import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../../src/errors.js';
import { readManifest } from '../../src/manifest/io.js';
import { ArtifactEntry, Manifest } from '../../src/manifest/model.js';
import { ownPath } from '../../src/manifest/paths.js';
import { ManifestRecorder } from '../../src/manifest/recorder.js';
import { execCapture } from '../../src/runtime/exec.js';
import { memoryLogger } from '../../src/runtime/log.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

let out: string;
beforeEach(async () => {
  out = await fs.mkdtemp(path.join(os.tmpdir(), 'recorder-'));
});
afterEach(async () => {
  await fs.rm(out, { recursive: true, force: true });
});

const entry = (file: string, extra: Partial<ArtifactEntry> = {}): ArtifactEntry => ({
  file,
  kind: file.endsWith('.whl') ? 'wheel' : 'sdist',
  sha256: 'x'.repeat(64),
  size: 1,
  ...extra
});

/** Puts `files` into OUT and lists them in a manifest of `version`, as an earlier run left it. */
async function earlierRun(version: string, files: ArtifactEntry[]): Promise<void> {
  const r = await ManifestRecorder.open(out, { name: 'demo', version }, memoryLogger());
  for (const f of files) {
    await fs.writeFile(path.join(out, f.file), f.file);
    await r.publish(f);
  }
}

describe('the manifest recorder', () => {
  it('writes nothing before the first change, then OUT/.albatross/manifest.json', async () => {
    const r = await ManifestRecorder.open(out, { name: 'demo', version: '1.0' }, memoryLogger());
    expect(await fs.readdir(out)).toEqual([]);
    await r.publish(entry('demo-1.0.tar.gz', { target: 'sdist' }));
    expect(await fs.readdir(path.join(out, '.albatross'))).toEqual(['manifest.json']);
    expect((await readManifest(out))?.artifacts.map((a) => a.file)).toEqual(['demo-1.0.tar.gz']);
  });

  it("drops another version's entries and files with a line naming them, keeping other files", async () => {
    await earlierRun('1.0', [entry('demo-1.0.tar.gz'), entry('demo-1.0-py3-none-any.whl')]);
    await fs.writeFile(path.join(out, 'notes.txt'), 'mine');
    const log = memoryLogger();
    const r = await ManifestRecorder.open(out, { name: 'demo', version: '1.1' }, log);
    expect(r.manifest.artifacts).toEqual([]);
    expect(await fs.readdir(out)).toContain('demo-1.0.tar.gz'); // nothing removed before work
    await fs.writeFile(path.join(out, 'demo-1.1.tar.gz'), 'new');
    await r.publish(entry('demo-1.1.tar.gz'));
    expect((await fs.readdir(out)).sort()).toEqual(['.albatross', 'demo-1.1.tar.gz', 'notes.txt']);
    const m = (await readManifest(out)) as Manifest;
    expect(m.project).toEqual({ name: 'demo', version: '1.1' });
    expect(m.artifacts.map((a) => a.file)).toEqual(['demo-1.1.tar.gz']);
    expect(log.lines.join('\n')).toMatch(
      /removed from .*: demo-1\.0-py3-none-any\.whl, demo-1\.0\.tar\.gz \(stale: not of demo 1\.1 as built now\)/
    );
  });

  it('refuses, before any work, an OUT that holds another project', async () => {
    await earlierRun('1.0', [entry('demo-1.0.tar.gz')]);
    await expect(
      ManifestRecorder.open(out, { name: 'other', version: '2.0' }, memoryLogger())
    ).rejects.toThrow(ConfigError);
    await expect(
      ManifestRecorder.open(out, { name: 'other', version: '2.0' }, memoryLogger())
    ).rejects.toThrow(/holds the artifacts of another project \(demo\), not other/);
    // The same project spelled differently is the same project.
    await expect(
      ManifestRecorder.open(out, { name: 'DEMO', version: '1.0' }, memoryLogger())
    ).resolves.toBeInstanceOf(ManifestRecorder);
  });

  it('a failed target takes its earlier artifact out of OUT and the manifest; success clears the failure', async () => {
    await earlierRun('1.0', [
      entry('demo-1.0.tar.gz', { target: 'sdist' }),
      entry('demo-1.0-cp312-cp312-linux_x86_64.whl', { target: 'wheel cp312' })
    ]);
    const r = await ManifestRecorder.open(out, { name: 'demo', version: '1.0' }, memoryLogger());
    await r.fail({ target: 'wheel cp312', kind: 'wheel', message: 'boom', logTail: '' });
    expect(await fs.readdir(out)).not.toContain('demo-1.0-cp312-cp312-linux_x86_64.whl');
    let m = (await readManifest(out)) as Manifest;
    expect(m.artifacts.map((a) => a.target)).toEqual(['sdist']);
    expect(m.failures.map((f) => f.target)).toEqual(['wheel cp312']);
    await fs.writeFile(path.join(out, 'demo-1.0-cp312-cp312-linux_x86_64.whl'), 'again');
    await r.publish(entry('demo-1.0-cp312-cp312-linux_x86_64.whl', { target: 'wheel cp312' }));
    m = (await readManifest(out)) as Manifest;
    expect(m.failures).toEqual([]);
  });

  it('entries built from another sdist are stale once the new sdist is known', async () => {
    await earlierRun('1.0', [
      entry('demo-1.0-cp311-cp311-linux_x86_64.whl', { source: 'a'.repeat(64) }),
      entry('demo-1.0-cp312-cp312-linux_x86_64.whl', { source: 'b'.repeat(64) })
    ]);
    const r = await ManifestRecorder.open(out, { name: 'demo', version: '1.0' }, memoryLogger());
    r.setSource('b'.repeat(64));
    await fs.writeFile(path.join(out, 'demo-1.0.tar.gz'), 'sdist');
    await r.publish(entry('demo-1.0.tar.gz'));
    const m = (await readManifest(out)) as Manifest;
    expect(m.artifacts.map((a) => [a.file, a.source?.[0]])).toEqual([
      ['demo-1.0-cp312-cp312-linux_x86_64.whl', 'b'],
      ['demo-1.0.tar.gz', 'b']
    ]);
    expect(await fs.readdir(out)).not.toContain('demo-1.0-cp311-cp311-linux_x86_64.whl');
  });

  it("reads the first version's albatross-manifest.json and moves it into .albatross/", async () => {
    await fs.writeFile(
      path.join(out, 'albatross-manifest.json'),
      JSON.stringify({
        schema: 1,
        tool: { name: 'albatross', version: '0.0.1' },
        project: { name: 'demo', version: '1.0' },
        artifacts: [entry('demo-1.0.tar.gz')],
        failures: [],
        phases: []
      })
    );
    await fs.writeFile(path.join(out, 'demo-1.0.tar.gz'), 'x');
    const r = await ManifestRecorder.open(out, { name: 'demo', version: '1.0' }, memoryLogger());
    expect(r.manifest.artifacts).toHaveLength(1);
    await r.start(['wheel py3']);
    expect(await fs.readdir(out)).not.toContain('albatross-manifest.json');
    const m = JSON.parse(await fs.readFile(ownPath(out, 'manifest'), 'utf8')) as Manifest;
    expect(m.artifacts.map((a) => a.file)).toEqual(['demo-1.0.tar.gz']);
    expect(m.pending).toEqual(['wheel py3']);
  });

  it('four processes making 50 updates each into one OUT lose none of the 200 entries', async () => {
    const script = path.join(out, 'writer.mts');
    const recorder = pathToFileURL(path.join(repo, 'src/manifest/recorder.ts')).href;
    const logmod = pathToFileURL(path.join(repo, 'src/runtime/log.ts')).href;
    await fs.writeFile(
      script,
      `import { ManifestRecorder } from ${JSON.stringify(recorder)};
import { memoryLogger } from ${JSON.stringify(logmod)};
const [dir, who] = process.argv.slice(2);
const r = await ManifestRecorder.open(dir, { name: 'demo', version: '1.0' }, memoryLogger());
for (let i = 0; i < 50; i++) {
  await r.publish({ file: \`\${who}-\${i}.whl\`, kind: 'wheel', sha256: '0'.repeat(64), size: i });
}
`
    );
    const dir = path.join(out, 'shared');
    const runs = await Promise.all(
      ['p1', 'p2', 'p3', 'p4'].map((who) =>
        execCapture([process.execPath, '--import', 'tsx', script, dir, who], { cwd: repo })
      )
    );
    for (const r of runs)
      expect({ code: r.code, output: r.output }).toEqual({ code: 0, output: '' });
    const m = (await readManifest(dir)) as Manifest;
    expect(m.artifacts).toHaveLength(200);
    expect(new Set(m.artifacts.map((a) => a.file)).size).toBe(200);
    expect(await fs.readdir(path.join(dir, '.albatross'))).toEqual(['manifest.json']);
  }, 120_000);

  it('takes over a lock left by a process that is gone', async () => {
    await fs.mkdir(path.join(out, '.albatross'));
    // pid 2^22 + 1 is above Linux's pid_max default: no such process.
    await fs.writeFile(ownPath(out, 'lock'), `4194305 ${os.hostname()}\n`);
    const r = await ManifestRecorder.open(out, { name: 'demo', version: '1.0' }, memoryLogger());
    await r.publish(entry('demo-1.0.tar.gz'));
    expect((await readManifest(out))?.artifacts).toHaveLength(1);
    expect(await fs.readdir(path.join(out, '.albatross'))).toEqual(['manifest.json']);
  });
});
