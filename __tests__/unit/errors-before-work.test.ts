import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { localIndexPaths } from '../../src/commands/preflight.js';
import { coerce } from '../../src/config/resolve.js';
import { findDef } from '../../src/config/definitions.js';
import { decodeUtf8 } from '../../src/config/toml.js';
import { checkProjectMetadata } from '../../src/detect/validate.js';
import { ConfigError } from '../../src/errors.js';
import { interruptCleanup, makeTempDir, pending } from '../../src/runtime/cleanup.js';
import { execCapture } from '../../src/runtime/exec.js';
import { writeFileAtomic } from '../../src/runtime/fsutil.js';
import { memoryLogger, terminalLogger } from '../../src/runtime/log.js';
import { OsStepError, describeUnwrapped, reasonOf } from '../../src/runtime/oserror.js';
import { readableProblem, writableDirProblem } from '../../src/runtime/pathcheck.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'errors-unit-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const errno = (code: string, extra: Record<string, string> = {}): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: something, ${extra.syscall ?? 'write'}`), { code, ...extra });

describe('config value checks (coerce)', () => {
  it.each([
    [
      'format',
      ['exe'],
      /unknown value 'exe' \(did you mean 'pex'\?\) \(expected one of zipapp, pex, image, venv, deb\)/
    ],
    ['format', 'pex,exe', /unknown value 'exe'/],
    ['platforms', ['solaris-sparc'], /unknown value 'solaris-sparc'/],
    ['images', { solaris: 'x' }, /unknown key 'solaris'/],
    ['images', 'solaris=x', /unknown key 'solaris'/],
    ['manylinux', '2_99', /expected one of 2014, 2_28, 2_34/],
    ['test-command', 'python -c "x', /unterminated " quote/],
    ['index-url', 'ftp://m', /is not an http\(s\):\/\/ or file:\/\/ URL/],
    ['extra-index-url', ['https://ok', 'http://[x'], /is not a valid URL/],
    ['source-date-epoch', '4354819200', /after 2107-12-31/],
    ['jobs', '9007199254740993', /expected a non-negative integer/],
    ['python', ['3.12', 'x'], /'x' is not a CPython minor version/],
    ['user', 'a b', /is not a user name or uid\[:gid\]/],
    ['shebang', '/bin/python\n', /must be one line/],
    ['zipapp-platform', 'Linux', /is not a wheel platform tag/],
    ['out', ' ', /must not be empty/]
  ])('%s = %j is a ConfigError naming the source', (name, raw, re) => {
    const err = (() => {
      try {
        coerce(findDef(name)!, raw, `flag --${name}`, true);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(new RegExp(`^flag --${name}: `));
    expect((err as Error).message).toMatch(re);
  });

  it.each([
    ['format', 'zipapp, pex', ['zipapp', 'pex']],
    ['images', 'manylinux-x86_64=img', { 'manylinux-x86_64': 'img' }],
    ['manylinux', '2014', '2014'],
    ['index-url', 'file:///opt/pypi/simple', 'file:///opt/pypi/simple'],
    [
      'find-links',
      ['relative/wheels', 'C:/wheels', 'https://x/y'],
      ['relative/wheels', 'C:/wheels', 'https://x/y']
    ],
    ['source-date-epoch', '4354819199', 4354819199],
    ['user', '1000:1000', '1000:1000'],
    ['test-command', `{python} -c "print('a b')"`, `{python} -c "print('a b')"`]
  ])('%s = %j is accepted', (name, raw, want) => {
    expect(coerce(findDef(name)!, raw, `flag --${name}`, true)).toEqual(want);
  });
});

describe('project metadata (detect/validate.ts)', () => {
  it.each([
    ['bad name', '1.0', false, /project name "bad name" is not a valid name \(PEP 508/],
    ['_x', '1.0', false, /is not a valid name/],
    ['x-', '1.0', false, /is not a valid name/],
    ['ok', '1.0.x', false, /version "1\.0\.x" is not a valid PEP 440 version/],
    ['a'.repeat(235), '1.0', false, /wheel file name would be 256 bytes, more than the 255/],
    ['a'.repeat(212), '1.0', true, /wheel file name would be 256 bytes, more than the 255/]
  ])('%s %s (native %s) is rejected', (name, version, native, re) => {
    expect(() => checkProjectMetadata({ name, version, native }, 'pyproject.toml')).toThrow(re);
  });

  it.each([
    ['a', '1'],
    ['A.b_c-D9', '2024.1.post1.dev3+local'],
    ['a'.repeat(234), '1.0'],
    ['x', null]
  ])('%s %s is accepted', (name, version) => {
    expect(() =>
      checkProjectMetadata({ name, version, native: false }, 'pyproject.toml')
    ).not.toThrow();
  });

  it('the native bound is the longest wheel tag Albatross writes', () => {
    expect(() =>
      checkProjectMetadata({ name: 'a'.repeat(211), version: '1.0', native: true }, 'f')
    ).not.toThrow();
  });
});

describe('OS errors in words (runtime/oserror.ts)', () => {
  it.each([
    ['ENOSPC', 'no space left on device (ENOSPC)'],
    ['EROFS', 'read-only file system (EROFS)'],
    ['ENAMETOOLONG', 'name too long (ENAMETOOLONG)'],
    ['EEXIST', 'already exists (EEXIST)'],
    ['EWEIRD', 'something (EWEIRD)']
  ])('%s reads as %s', (code, words) => {
    expect(reasonOf(errno(code))).toBe(words);
  });

  it('an unwrapped errno error becomes one line naming syscall and path; others pass', () => {
    const e = describeUnwrapped(errno('EEXIST', { syscall: 'mkdir', path: '/x/out' }));
    expect(e).toBeInstanceOf(OsStepError);
    expect((e as Error).message).toBe(
      'could not create the directory /x/out: already exists (EEXIST)'
    );
    expect((describeUnwrapped(errno('ENOSPC', { syscall: 'write' })) as Error).message).toBe(
      'could not write (a file): no space left on device (ENOSPC)'
    );
    const plain = new Error('plain');
    expect(describeUnwrapped(plain)).toBe(plain);
    const config = new ConfigError('bad');
    expect(describeUnwrapped(config)).toBe(config);
  });

  it('writeFileAtomic names the file and what it held; no temp file stays', async () => {
    const blocker = path.join(tmp, 'blocker');
    await fs.writeFile(blocker, '');
    const err = await writeFileAtomic(path.join(blocker, 'm.json'), '{}', 'the manifest').catch(
      (e: unknown) => e
    );
    expect((err as Error).message).toBe(
      `could not write the manifest ${blocker}/m.json: a part of the path is not a directory (ENOTDIR)`
    );
    // A 250-byte name still leaves room for the temp name beside it.
    const long = path.join(tmp, `${'l'.repeat(250)}.whl`);
    await writeFileAtomic(long, 'x');
    expect(await fs.readdir(tmp)).toEqual(expect.arrayContaining([path.basename(long)]));
    expect((await fs.readdir(tmp)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('path checks (runtime/pathcheck.ts)', () => {
  it('writableDirProblem: file, below a file, creatable, too long', async () => {
    const file = path.join(tmp, 'f');
    await fs.writeFile(file, '');
    expect(await writableDirProblem(file)).toBe('is a file, not a directory');
    expect(await writableDirProblem(path.join(file, 'a', 'b'))).toBe(
      `cannot be created: ${file} is a file, not a directory`
    );
    expect(await writableDirProblem(path.join(tmp, 'new', 'deeper'))).toBeUndefined();
    expect(await writableDirProblem(tmp)).toBeUndefined();
    expect(await writableDirProblem(path.join(tmp, 'x'.repeat(256)))).toMatch(
      /component of 256 bytes .*ENAMETOOLONG/
    );
    // Nothing was created.
    expect(await fs.readdir(tmp)).not.toContain('new');
  });

  it('readableProblem: missing, wrong kind, not executable', async () => {
    const file = path.join(tmp, 'r');
    await fs.writeFile(file, '', { mode: 0o644 });
    expect(await readableProblem(path.join(tmp, 'gone'), 'any')).toBe('does not exist');
    expect(await readableProblem(tmp, 'file')).toBe('is a directory, not a file');
    expect(await readableProblem(file, 'directory')).toBe('is a file, not a directory');
    expect(await readableProblem(file, 'file')).toBeUndefined();
    expect(await readableProblem(file, 'file', fs.constants.X_OK)).toMatch(/permission denied/);
  });

  it('localIndexPaths: plain paths and file:// URLs, never http(s)', () => {
    expect(
      localIndexPaths({
        indexUrl: 'file:///opt/pypi/simple',
        extraIndexUrl: ['https://x/simple', '/opt/more'],
        findLinks: ['file:///w%20x', 'C:/wheels']
      }).map((l) => [l.option, l.path])
    ).toEqual([
      ['index-url', '/opt/pypi/simple'],
      ['extra-index-url', '/opt/more'],
      ['find-links', '/w x'],
      ['find-links', 'C:/wheels']
    ]);
  });
});

describe('TOML files must be UTF-8 (config/toml.ts)', () => {
  it.each([
    [Buffer.from([0x61, 0x0a, 0x62, 0xff, 0x0a]), 2],
    [Buffer.from([0xc3]), 1],
    [Buffer.concat([Buffer.from('a\nb\nc = "é"\n'), Buffer.from([0xe2, 0x28, 0xa1])]), 4]
  ])('%j: the first bad byte is on line %i', (bytes, line) => {
    expect(() => decodeUtf8(bytes, 'p.toml')).toThrow(
      new ConfigError(`p.toml:${line}: not valid UTF-8 (TOML files must be UTF-8)`)
    );
  });
  it('valid UTF-8 (a literal U+FFFD too) decodes', () => {
    expect(decodeUtf8(Buffer.from('x = "\uFFFD é"\n'), 'p.toml')).toBe('x = "\uFFFD é"\n');
  });
});

describe('log marks: ✗ for a failed stage, never ✓', () => {
  it('terminalLogger and memoryLogger mark by throw and by result', async () => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
      lines.push(String(s).trim());
      return true;
    });
    try {
      const log = terminalLogger();
      await log.group(
        'ok',
        async () => 0,
        (r) => r !== 0
      );
      await log.group(
        'by result',
        async () => 1,
        (r) => r !== 0
      );
      await log.group('thrown', async () => Promise.reject(new Error('x'))).catch(() => undefined);
    } finally {
      spy.mockRestore();
    }
    expect(lines.filter((l) => /^[✓✗]/.test(l)).map((l) => l.replace(/ \(.*\)$/, ''))).toEqual([
      '✓ ok',
      '✗ by result',
      '✗ thrown'
    ]);
    const mem = memoryLogger();
    await mem.group(
      'm',
      async () => 1,
      (r) => r !== 0
    );
    expect(mem.lines).toEqual(['group: m', 'group failed: m']);
  });
});

describe('the cleanup registry (runtime/cleanup.ts)', () => {
  it('an interrupt removes registered temp dirs and stops registered process groups', async () => {
    const t = await makeTempDir('albatross-unit-');
    await fs.writeFile(path.join(t.dir, 'x'), 'x');
    expect(pending().temps).toContain(t.dir);
    const marker = path.join(tmp, 'grandchild-pid');
    // A child that starts a grandchild in its group, then waits.
    const running = execCapture(['sh', '-c', `sleep 300 & echo $! > ${marker}; wait`]);
    let grandchild = 0;
    for (let i = 0; i < 100 && !grandchild; i++) {
      grandchild = Number((await fs.readFile(marker, 'utf8').catch(() => '')).trim()) || 0;
      if (!grandchild) await new Promise((r) => setTimeout(r, 50));
    }
    expect(grandchild).toBeGreaterThan(0);
    expect(pending().groups.length).toBeGreaterThan(0);
    const done = await interruptCleanup();
    expect(done.groups).toBeGreaterThan(0);
    expect(done.temps).toBeGreaterThan(0);
    const r = await running;
    expect(r.code).toBe(128);
    await expect(fs.stat(t.dir)).rejects.toThrow(/ENOENT/);
    await new Promise((res) => setTimeout(res, 200));
    // Gone, or a zombie waiting for init to reap it.
    const stat = await fs.readFile(`/proc/${grandchild}/stat`, 'utf8').catch(() => '');
    expect(stat === '' || /^\d+ \(.*\) Z /.test(stat)).toBe(true);
    expect(pending()).toEqual({ temps: [], groups: [], closers: 0 });
  });
});
