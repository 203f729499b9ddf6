import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildCommand } from '../../src/commands/build.js';
import { readManifest } from '../../src/manifest/io.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { testOptions } from '../helpers/env.js';

/**
 * A real build (pypa/build, a real Python) of a project whose in-tree backend writes a crafted
 * sdist: the sdist target fails naming the member, nothing reaches --out or the manifest,
 * no wheel is built from it, and nothing is written outside the work directory.
 */
const FIXTURE = path.resolve('fixtures', 'build-unsafe-sdist');
// Made at load time: the case table names paths inside it.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'albatross-safety-'));
let n = 0;

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

type Spec = { name: string; type?: string; linkname?: string; data?: string };

describe('a built sdist holding an unsafe member fails the sdist target and is never published', () => {
  const elsewhere = (): string => path.join(tmp, 'elsewhere');
  const cases: [string, () => Spec[], string][] = [
    [
      "the issue's attack: pkg/link -> /elsewhere, then pkg/link/file",
      () => [
        { name: 'albatross_unsafe-1.0.0/', type: 'dir' },
        { name: 'albatross_unsafe-1.0.0/PKG-INFO', data: 'Metadata-Version: 2.1\n' },
        { name: 'albatross_unsafe-1.0.0/pkg/link', type: 'symlink', linkname: elsewhere() },
        { name: 'albatross_unsafe-1.0.0/pkg/link/file', data: 'owned' }
      ],
      `refusing member albatross_unsafe-1.0.0/pkg/link: it is a symbolic link to the absolute path ${elsewhere()}`
    ],
    [
      '../x',
      () => [{ name: 'albatross_unsafe-1.0.0/PKG-INFO' }, { name: '../x', data: 'owned' }],
      "refusing member ../x: it climbs out with '..'"
    ],
    [
      'a hard link outside',
      () => [
        { name: 'albatross_unsafe-1.0.0/PKG-INFO' },
        { name: 'albatross_unsafe-1.0.0/h', type: 'hardlink', linkname: '../../etc/passwd' }
      ],
      'refusing member albatross_unsafe-1.0.0/h: it is a hard link to ../../etc/passwd, outside the archive'
    ],
    [
      'a device node',
      () => [
        { name: 'albatross_unsafe-1.0.0/PKG-INFO' },
        { name: 'albatross_unsafe-1.0.0/null', type: 'chr' }
      ],
      'refusing member albatross_unsafe-1.0.0/null: it is a character device'
    ]
  ];

  it.each(cases)(
    '%s',
    async (_what, members, message) => {
      const root = path.join(tmp, `project-${++n}`);
      await fs.cp(FIXTURE, root, { recursive: true });
      await fs.writeFile(path.join(root, 'members.json'), JSON.stringify(members()));
      const log = memoryLogger();
      const r = await buildCommand({
        opts: testOptions({ projectDir: root, out: 'dist', python: ['3.12'] }),
        log
      });
      expect(r.exitCode).toBe(1);
      const outDir = path.join(root, 'dist');
      expect(await fs.readdir(outDir)).toEqual(['.albatross']);
      expect(await fs.readdir(path.join(outDir, '.albatross'))).toEqual(['manifest.json']);
      const manifest = await readManifest(outDir);
      expect(manifest?.artifacts).toEqual([]);
      expect(manifest?.failures.map((f) => f.target)).toEqual(['sdist']);
      expect(manifest?.failures[0].message).toBe(`albatross_unsafe-1.0.0.tar.gz: ${message}`);
      expect(log.lines.some((l) => l.includes(message))).toBe(true);
      await expect(fs.access(elsewhere())).rejects.toThrow();
    },
    120_000
  );
});
