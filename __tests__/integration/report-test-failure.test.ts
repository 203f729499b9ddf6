import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildProject } from '../../src/build/index.js';
import { aggregate, readJobDir } from '../../src/report/aggregate.js';
import { renderSummary } from '../../src/report/markdown.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { testOptions } from '../helpers/env.js';
import { projectModel } from '../helpers/model.js';

/**
 * A real failing test-command: the C extension built for two Pythons, its test failing on one
 * of them. The report counts one passed and one failed test, never "2 passed" beside a failure.
 */
const PYTHONS = ['3.11', '3.12'];
let tmp: string;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-test-failure-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('a wheel whose test fails, in the report', () => {
  it('counts as a failed test beside the one that passed', async () => {
    const root = path.join(tmp, 'checkout');
    await fs.cp(path.resolve('fixtures', 'build-cext'), root, { recursive: true });
    const outDir = path.join(tmp, 'out');
    const testCommand = `{python} -c "import sys, albatross_cext; assert sys.version_info[:2] != (3, 11), 'broken on 3.11'"`;
    const r = await buildProject({
      model: projectModel({
        root,
        name: 'albatross-cext',
        native: true,
        pythonVersions: PYTHONS
      }),
      opts: testOptions({ testCommand, python: PYTHONS }),
      log: memoryLogger(),
      outDir,
      mode: 'host'
    });
    expect(r.ok).toBe(false);
    // What the build records: the failed wheel is not listed; its failure carries the test.
    const [failure] = r.manifest.failures;
    expect(r.manifest.failures).toHaveLength(1);
    expect(failure).toMatchObject({ kind: 'wheel', python: '3.11' });
    // The command as it ran: {python} expanded to the test venv's interpreter.
    expect(failure.test).toMatchObject({ status: 'failed' });
    expect(failure.test!.command).toMatch(/^\/\S+\/test\/venv\/bin\/python -c .*broken on 3\.11/);
    expect(failure.test!.command).not.toContain('{python}');
    expect(failure.test!.detail).toContain('broken on 3.11');

    const job = (await readJobDir(outDir, path.basename(outDir)))!;
    // No `job` in a manifest made without a plan: labelled by its wheels' platform, not `out`.
    expect(r.manifest.job).toBeUndefined();
    const [wheel] = r.manifest.artifacts.filter((a) => a.kind === 'wheel');
    expect(wheel).toMatchObject({ python: '3.12', test: { status: 'passed' } });
    expect(job.label).toBe(wheel.platformTag);
    const agg = aggregate([job]);
    expect(agg.totals).toMatchObject({ testsPassed: 1, testsFailed: 1, failures: 1 });
    const md = renderSummary(agg);
    expect(md).toMatch(/^\| \d+ \| \d+ \| [^|]+ \| 1 \| 1 passed, 1 failed \|/m);
  });
});
