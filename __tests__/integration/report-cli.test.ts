import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execCapture } from '../../src/runtime/exec.js';
import { VERDICT } from '../../src/report/markdown.js';
import { writeMatrix } from '../unit/report-fixtures.js';

/** `albatross report --in DIR...` through the real CLI entry, as scripts drive it. */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = pathToFileURL(path.join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
const cli = (args: string[], cwd: string) => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(ACTIONS_|GITHUB_|RUNNER_|NODE_OPTIONS$)/.test(k)) env[k] = v;
  }
  return execCapture(
    [process.execPath, '--import', TSX, path.join(REPO, 'src/cli/index.ts'), ...args],
    {
      cwd,
      env,
      extraEnv: { NO_COLOR: '1' },
      timeoutMs: 120_000
    }
  );
};

describe('albatross report (CLI)', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'report-cli-'));
    await writeMatrix(path.join(tmp, 'downloads', 'one'));
    await fs.mkdir(path.join(tmp, 'project'));
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('aggregates several --in directories into a table, a summary file and JSON; exit 1 on failures', async () => {
    const out = path.join(tmp, 'out');
    const r = await cli(
      ['report', 'project', '--in', 'downloads/one', '--in', 'downloads', '--out', out],
      tmp
    );
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: '' });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      `greeter 1.2.0: ✗ 1 failure · 3 artifacts · 90.7 kB · 3 jobs · ${VERDICT.irreproducible}`
    );
    expect(r.stdout).toMatch(/^FILE +KIND +PLATFORM +PY +SIZE +SHA256 +TEST +REPRODUCIBLE$/m);
    expect(r.stdout).toMatch(
      /^greeter-1\.2\.0\.tar\.gz +sdist +source +- +4\.1 kB +aaaaaaaaaaaa +- +reproducible$/m
    );
    const summary = await fs.readFile(path.join(out, '.albatross', 'summary.md'), 'utf8');
    expect(r.stdout).toContain(`summary: ${path.join(out, '.albatross', 'summary.md')}`);
    expect(summary).toContain('### ❌ Failures');
    expect(summary).toContain(
      '| File | Verdict | Differences | Sensitivities | sha256 (1st / 2nd build) |'
    );
    const aggregate = JSON.parse(
      await fs.readFile(path.join(out, '.albatross', 'aggregate.json'), 'utf8')
    );
    expect(aggregate.artifacts).toHaveLength(3);

    const j = await cli(['report', 'project', '--in', 'downloads', '--out', out, '--json'], tmp);
    expect(j.code).toBe(1);
    const json = JSON.parse(j.stdout);
    expect(json).toMatchObject({
      ok: false,
      totals: { jobs: 3, failures: 1, reproducible: false },
      comment: null
    });
    expect(json.failures[0].target).toBe('wheel cp313 manylinux_2_28_x86_64');
  });

  it('writes into the --in directory when no --out is given, never into the working directory', async () => {
    const cwd = path.join(tmp, 'elsewhere');
    await fs.mkdir(cwd);
    const r = await cli(['report', '--in', path.join(tmp, 'downloads')], cwd);
    expect(r.code).toBe(1);
    expect(await fs.readdir(cwd)).toEqual([]);
    const summary = path.join(tmp, 'downloads', '.albatross', 'summary.md');
    expect(await fs.readFile(summary, 'utf8')).toContain('### ❌ Failures');
    expect(r.stdout).toContain(`summary: ${summary}`);
  });

  it('exits 3 when there is nothing to report and 2 for a corrupt manifest, naming it', async () => {
    await fs.mkdir(path.join(tmp, 'empty'));
    const none = await cli(['report', 'project', '--in', 'empty'], tmp);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(
      /^albatross: report: no manifest or reproducibility report \(\.albatross\/manifest\.json, \.albatross\/reproducibility\.json\) under .*empty\n$/
    );
    const noOut = await cli(['report', 'project'], tmp);
    expect(noOut.code).toBe(3);
    expect(noOut.stderr).toMatch(
      /no output directory .*project\/dist \(build first, or pass --in DIR\)/
    );
    await fs.mkdir(path.join(tmp, 'bad'));
    await fs.writeFile(path.join(tmp, 'bad', 'albatross-manifest.json'), '{"schema": 1,');
    const bad = await cli(['report', 'project', '--in', 'bad'], tmp);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\/albatross-manifest\.json: not valid JSON/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
