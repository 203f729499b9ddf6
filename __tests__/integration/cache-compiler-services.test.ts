import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActionsServices, startActionsServices } from '../helpers/actions-services.js';
import { runDriver } from '../helpers/services/run-driver.js';

type Opened = {
  dir: string;
  report: { backend: string; key?: string; restored: string; warnings: string[] };
  saved: { saved: boolean; skipped?: string };
};

/** The compiler cache's entry through @actions/cache against azurite + the results shim. */
describe('compiler cache on the GitHub cache service', () => {
  let svc: ActionsServices;
  let work: string;

  beforeAll(async () => {
    svc = await startActionsServices();
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-ccsvc-'));
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('saves the directory tree as one entry and restores it on another machine, by prefix', async () => {
    const key = { platformKey: 'manylinux_2_28_x86_64', pythons: ['3.12'] };
    const { result } = await runDriver<[Opened, Opened, unknown, Opened]>(
      [
        [
          'compiler-cache',
          {
            cacheDir: path.join(work, 'runner-1'),
            key: { ...key, source: 'first' },
            write: { 'a/1/obj-R': 'compiled', 'a/stats': 'counts', 'tmp/x': 'scratch' },
            misses: 2
          }
        ],
        [
          'compiler-cache',
          { cacheDir: path.join(work, 'runner-2'), key: { ...key, source: 'second' }, misses: 0 }
        ],
        ['snapshot', { dir: path.join(work, 'runner-2', 'ccache') }],
        [
          'compiler-cache',
          { cacheDir: path.join(work, 'runner-3'), key: { ...key, source: 'first' } }
        ]
      ],
      svc.env
    );
    const [first, second, snap, exact] = result;
    expect(first.report).toMatchObject({ backend: 'github', restored: 'miss', warnings: [] });
    expect(first.report.key).toMatch(
      new RegExp(`^albatross-ccache-v1-${process.platform}-${process.arch}-manylinux_2_28_x86_64-`)
    );
    expect(first.saved).toEqual({ saved: true });
    expect(second.report.restored).toBe('partial');
    expect(second.saved).toEqual({ saved: false, skipped: 'nothing new was compiled' });
    // ccache's scratch space is never carried.
    expect(Object.keys(snap as object).sort()).toEqual(['a/1/obj-R', 'a/stats']);
    expect(exact.report.restored).toBe('exact');
    expect(exact.saved).toEqual({ saved: false, skipped: 'exact hit' });
  }, 300_000);
});
