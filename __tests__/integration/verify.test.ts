import { afterAll, describe, expect } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyCommand } from '../../src/commands/verify.js';
import { Options } from '../../src/config/options.js';
import { emptyManifest, readManifest, writeManifest } from '../../src/manifest/io.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { findPython } from '../../src/runtime/python.js';
import { ArtifactVerdict, Reproducibility } from '../../src/verify/model.js';
import { itIf, testOptions } from '../helpers/env.js';

/**
 * Real double builds of small fixture projects (Python 3.12, host mode): clean projects must
 * come out reproducible with no false alarm; planted nondeterminism must be flagged with the
 * right member and cause; environment-dependent output must be whatever the shipped bytes say.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '../../fixtures');
const PY = '3.12';
const havePython = Boolean(await findPython(PY).catch(() => undefined));
const outs: string[] = [];

afterAll(async () => {
  for (const d of outs) await fs.rm(d, { recursive: true, force: true });
});

async function verify(
  fixture: string,
  over: Partial<Options> = {},
  before?: (out: string) => Promise<void>
): Promise<{ code: number; r: Reproducibility; out: string }> {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), `albatross-${fixture}-`));
  outs.push(out);
  await before?.(out);
  const opts = testOptions({
    projectDir: path.join(fixtures, fixture),
    out,
    python: [PY],
    mode: 'host',
    test: false,
    sensitivity: false,
    ...over
  });
  const res = await verifyCommand({ opts, log: memoryLogger() });
  const r = JSON.parse(
    await fs.readFile(path.join(out, '.albatross', 'reproducibility.json'), 'utf8')
  ) as Reproducibility;
  expect(res.json).toEqual(r);
  return { code: res.exitCode, r, out };
}

const wheel = (r: Reproducibility): ArtifactVerdict => {
  const w = r.artifacts.find((a) => a.file.endsWith('.whl'));
  if (!w) throw new Error(`no wheel in ${r.artifacts.map((a) => a.file).join(', ')}`);
  return w;
};

const it = itIf(havePython, `CPython ${PY} is not installed`);

describe('verify: clean projects are reproducible (no false alarm)', () => {
  it('pure application with a zipapp, with the sensitivity pass; report, statement and manifest agree', async () => {
    const project = { name: 'albatross-verify-clean-pure', version: '1.0.0' };
    const { code, r, out } = await verify(
      'verify-clean-pure',
      { sensitivity: true, format: ['zipapp'] },
      async (o) => {
        await writeManifest(o, emptyManifest(project));
      }
    );
    expect((await readManifest(out))?.reproducibility).toEqual({
      reproducible: true,
      file: '.albatross/reproducibility.json'
    });
    expect(r.artifacts.flatMap((a) => a.differences)).toEqual([]);
    expect(r.reproducible).toBe(true);
    expect(code).toBe(0);
    expect(r.sensitivityPass).toBe(true);
    // A report of this verify alone can name the project, its bucket and its time.
    expect(r).toMatchObject({ project, job: 'any', seconds: expect.any(Number) });
    expect(r.artifacts.map((a) => a.file).sort()).toEqual([
      'albatross-verify-clean-pure-1.0.0.pyz',
      'albatross_verify_clean_pure-1.0.0-py3-none-any.whl',
      'albatross_verify_clean_pure-1.0.0.tar.gz'
    ]);
    for (const a of r.artifacts) expect(a.sha256[0]).toBe(a.sha256[1]);
    expect(r.variations.map((v) => v.name)).toEqual(
      expect.arrayContaining([
        'build path',
        'HOME',
        'user',
        'hostname',
        'CPU count',
        'clock',
        'time zone',
        'locale',
        'umask'
      ])
    );
    const st = JSON.parse(
      await fs.readFile(path.join(out, '.albatross', 'reproducibility.intoto.json'), 'utf8')
    );
    expect(st._type).toBe('https://in-toto.io/Statement/v1');
    expect(st.subject).toEqual(
      r.artifacts
        .map((a) => ({ name: a.file, digest: { sha256: a.sha256[0] } }))
        .sort((x, y) => x.name.localeCompare(y.name))
    );
    expect(st.predicate.verdict.reproducible).toBe(true);
  });

  it('C extensions, one using __DATE__/__TIME__ (SOURCE_DATE_EPOCH drives them)', async () => {
    const { code, r } = await verify('verify-clean-cext');
    expect(r.artifacts.flatMap((a) => a.differences)).toEqual([]);
    expect(r.reproducible).toBe(true);
    expect(code).toBe(0);
    expect(wheel(r).file).toMatch(/-cp312-cp312-(linux|manylinux)[^-]*\.whl$/);
  });
});

describe('verify: planted nondeterminism is flagged with member and cause', () => {
  it('a build timestamp and a random token written into modules', async () => {
    const { code, r } = await verify('verify-planted');
    expect(r.reproducible).toBe(false);
    expect(code).toBe(1);
    const w = wheel(r);
    expect(w.reproducible).toBe(false);
    expect(w.sha256[0]).not.toBe(w.sha256[1]);
    const stamp = w.differences.find((x) => x.member === 'vpl/_stamp.py');
    expect(stamp).toMatchObject({ kind: 'content', cause: 'timestamp' });
    expect(stamp?.detail).toContain('+BUILD_TIME = ');
    expect(w.differences.find((x) => x.member === 'vpl/_token.py')).toMatchObject({
      kind: 'content',
      cause: 'randomness'
    });
    // RECORD lists the two hashes: it follows them, it is not itself "random".
    expect(w.differences.find((x) => x.member.endsWith('.dist-info/RECORD'))?.cause).toMatch(
      /^(timestamp|randomness)$/
    );
    expect(w.differences.every((x) => x.cause !== 'unknown')).toBe(true);
    // The sdist does not run build_py: it stays reproducible.
    expect(r.artifacts.find((a) => a.file.endsWith('.tar.gz'))?.reproducible).toBe(true);
  });
});

describe('verify: the build environment written into a module', () => {
  it('time zone and locale are neutralised by the pins and reported as sensitivities; the build path is flagged', async () => {
    const { code, r } = await verify('verify-env', { sensitivity: true });
    const w = wheel(r);
    const diff = (m: string) => w.differences.find((x) => x.member === m);
    const sens = (m: string) => w.sensitivities.find((x) => x.member === m);
    // Pinned TZ and locale: identical in the shipped bytes (A vs B) ...
    expect(diff('vev/_tz.py')).toBeUndefined();
    expect(diff('vev/_locale.py')).toBeUndefined();
    // ... but they change when the pins are released.
    expect(sens('vev/_tz.py')).toMatchObject({ kind: 'content', cause: 'timezone' });
    expect(sens('vev/_locale.py')).toMatchObject({ kind: 'content', cause: 'locale' });
    // The working directory is not mapped for Python code: the shipped bytes differ.
    expect(diff('vev/_path.py')).toMatchObject({ kind: 'content', cause: 'build-path' });
    expect(r.reproducible).toBe(false);
    expect(code).toBe(1);
    // The umask-following data file: wheel normalisation gives canonical modes, so it never
    // differs; if it ever did in the sensitivity pass, it must be called a permissions issue.
    expect(diff('vev/data.txt')).toBeUndefined();
    if (sens('vev/data.txt')) expect(sens('vev/data.txt')?.cause).toBe('permissions');
    expect(r.variations.find((v) => v.name === 'time zone')).toMatchObject({
      applied: true,
      second: 'Pacific/Chatham'
    });
  });
});
