import { describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { reportCommand } from '../../src/commands/report.js';
import { defaultOptions } from '../../src/config/options.js';
import { ownPath } from '../../src/manifest/paths.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { loadSchemas } from '../helpers/schemas.js';
import {
  nativeJob,
  pureJob,
  testFailureJob,
  verifyReport,
  writeMatrix
} from './report-fixtures.js';

/** The schemas compile (ajv strict) and describe the report fixtures; bad values fail them. */
const check = await loadSchemas();

describe('JSON Schemas (schemas/*.json)', () => {
  it('accept the report fixtures', () => {
    expect(check('manifest', pureJob())).toEqual([]);
    expect(check('manifest', nativeJob())).toEqual([]);
    expect(check('manifest', testFailureJob())).toEqual([]);
    expect(check('reproducibility', verifyReport())).toEqual([]);
  });

  it("accept what `report` makes of the fixtures' matrix", async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-schema-'));
    const inDir = await writeMatrix(path.join(root, 'in'));
    const opts = defaultOptions({ projectDir: root, in: [inDir], comment: false });
    const r = await reportCommand({ opts, log: memoryLogger() });
    expect(check('report', r.json)).toEqual([]);
    const agg = JSON.parse(await fs.readFile(ownPath(inDir, 'aggregate'), 'utf8'));
    expect(check('manifest', agg)).toEqual([]);
    await fs.rm(root, { recursive: true, force: true });
  });

  it.each([
    [
      'manifest',
      'an artifact without sha256',
      () => {
        const m = pureJob();
        delete (m.artifacts[0] as Partial<(typeof m.artifacts)[0]>).sha256;
        return m;
      },
      "/artifacts/0 must have required property 'sha256'"
    ],
    [
      'manifest',
      'an unknown artifact kind',
      () => {
        const m = pureJob();
        (m.artifacts[0] as { kind: string }).kind = 'egg';
        return m;
      },
      '/artifacts/0/kind must be equal to one of the allowed values'
    ],
    [
      'reproducibility',
      'one sha256 for two builds',
      () => {
        const r = verifyReport();
        (r.artifacts[0] as { sha256: unknown }).sha256 = ['a'.repeat(64)];
        return r;
      },
      '/artifacts/0/sha256 must NOT have fewer than 2 items'
    ],
    [
      'plan',
      'a job without runs-on',
      () => ({
        project: { name: 'x', version: '1', native: false, abi3: false },
        matrix: {
          include: [
            {
              id: 'sdist-any',
              platform: 'any',
              python: ['3.12'],
              bucket: 'any',
              sdist: true,
              mode: 'host',
              arch: 'any',
              qemu: false
            }
          ]
        },
        application: false,
        formats: []
      }),
      "/matrix/include/0 must have required property 'runs-on'"
    ]
  ] as const)('%s: reject %s', (schema, _case, make, error) => {
    expect(check(schema, make())).toContain(error);
  });
});
