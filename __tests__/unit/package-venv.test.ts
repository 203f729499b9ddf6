import { describe, expect, it } from '@jest/globals';
import { compare as pep440Compare } from '@renovatebot/pep440';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { defaultOptions } from '../../src/config/options.js';
import { FORMAT_NAMES, resolveFormats } from '../../src/package/formats/index.js';
import { findDef } from '../../src/config/definitions.js';
import { findBasePython, scanLayers } from '../../src/package/oci/inspect.js';
import { layerEntries } from '../../src/package/oci/venvtree.js';
import { arArchive } from '../../src/package/venv/ar.js';
import { debArchive, debDataEntries } from '../../src/package/venv/deb.js';
import { buildLayer } from '../../src/package/oci/layer.js';
import { LayerEntry } from '../../src/package/oci/tar.js';
import {
  controlText,
  debArchitecture,
  debMetadata,
  debPackageName,
  debVersion,
  installedSize,
  md5sums,
  wrap
} from '../../src/package/venv/debian.js';
import { MAX_PREFIX, prefixProblem, venvPrefix } from '../../src/package/venv/prefix.js';
import { parseDpkgSearch, parseProbe } from '../../src/package/venv/target.js';
import { walkTree } from '../../src/package/tree.js';
import { aggregate } from '../../src/report/aggregate.js';
import { renderComment, renderSummary } from '../../src/report/markdown.js';
import { renderManifestTable } from '../../src/report/terminal.js';
import { packageResult } from '../../src/commands/package.js';
import { readAr } from '../../src/verify/ar.js';
import { classifyAll } from '../../src/verify/classify.js';
import { compareBuffers } from '../../src/verify/compare.js';
import { SideEnv } from '../../src/verify/model.js';
import { elfHead } from '../helpers/bases.js';
import { makeTar } from '../helpers/tar.js';
import { pureJob } from './report-fixtures.js';

describe('prefix', () => {
  it.each([
    ['', null],
    ['/opt/app', null],
    ['/srv/my_app-2.0+x', null],
    ['opt/app', /'opt\/app' is not an absolute path/],
    ['./app', /not an absolute path/],
    ['/opt/my app', /may hold only letters, digits/],
    ["/opt/a'b", /may hold only/],
    ['/opt/app/', /not a normalised path/],
    ['/opt//app', /not a normalised path/],
    ['/opt/../etc', /not a normalised path/],
    ['/usr', /'\/usr' is a system directory/],
    ['/opt', /system directory/],
    ['/usr/local/bin', /system directory/],
    ['/' + 'a'.repeat(MAX_PREFIX), /longer than 114 characters/]
  ])('%j → %s', (prefix, problem) => {
    const got = prefixProblem(prefix);
    if (problem === null) expect(got).toBeNull();
    else expect(got).toMatch(problem);
  });

  it('defaults to /opt/<PEP 503 name>', () => {
    expect(venvPrefix('', 'My_Cool.App')).toBe('/opt/my-cool-app');
    expect(venvPrefix('/srv/x', 'My_Cool.App')).toBe('/srv/x');
  });

  it('deb for a project without a console script is a ConfigError before any work; venv is not', () => {
    const opts = defaultOptions({ format: ['deb'] });
    expect(() => resolveFormats(opts, false)).toThrow(ConfigError);
    expect(() => resolveFormats(opts, false)).toThrow(
      /^format: deb puts the console scripts in \/usr\/bin, and the project declares none; package a library as `venv`$/
    );
    expect(resolveFormats(defaultOptions({ format: ['venv'] }), false).map((f) => f.name)).toEqual([
      'venv'
    ]);
    expect(resolveFormats(defaultOptions({ format: ['deb'] }), true).map((f) => f.name)).toEqual([
      'deb'
    ]);
    // The option accepts exactly the registry's formats.
    expect([...(findDef('format')?.choices ?? [])].sort()).toEqual([...FORMAT_NAMES].sort());
    // Neither is picked without `format`.
    expect(resolveFormats(defaultOptions(), true).map((f) => f.name)).toEqual(['zipapp']);
  });
});

describe('Debian versions', () => {
  it.each([
    ['1.2.0', '1.2.0'],
    ['1.0a1', '1.0~a1'],
    ['1.0b2', '1.0~b2'],
    ['1.0rc1', '1.0~rc1'],
    ['1.0.post3', '1.0+post3'],
    ['1.0.dev4', '1.0~~dev4'],
    ['1.0a1.dev2', '1.0~a1~dev2'],
    ['1.0.post1.dev2', '1.0+post1~dev2'],
    ['1.0+ubuntu.1', '1.0+~ubuntu.1'],
    ['2!1.0', '2:1.0'],
    ['1.0-RC_1', '1.0~rc1'],
    ['not a version', null]
  ])('%s → %s', (pep, deb) => {
    expect(debVersion(pep)).toBe(deb);
  });

  it('dpkg orders the mapped versions as PEP 440 orders the originals (real dpkg --compare-versions)', () => {
    const versions = [
      '1.0.1',
      '1.0rc1',
      '1.0',
      '1.0.dev1',
      '1!0.1',
      '1.0a1',
      '1.0.post1',
      '1.0a1.dev1',
      '1.0+local.1',
      '1.0b1',
      '1.0.post1.dev1',
      '1.0rc1.post1',
      '1.0a2',
      '0.9.post2'
    ];
    const sorted = [...versions].sort(pep440Compare);
    expect(sorted[0]).toBe('0.9.post2');
    expect(sorted[sorted.length - 1]).toBe('1!0.1');
    for (let i = 1; i < sorted.length; i++) {
      const [a, b] = [debVersion(sorted[i - 1]) as string, debVersion(sorted[i]) as string];
      // dpkg exits 0 when the relation holds, 1 when it does not (execFileSync throws).
      expect({ a, b, lt: dpkgLess(a, b) }).toEqual({ a, b, lt: true });
      expect({ a, b, gt: dpkgLess(b, a) }).toEqual({ a, b, gt: false });
    }
  });

  it('package names and architectures', () => {
    expect(debPackageName('My_Cool.App')).toBe('my-cool-app');
    expect(debPackageName('x')).toBeNull();
    expect(debArchitecture('x86_64')).toBe('amd64');
    expect(debArchitecture('aarch64')).toBe('arm64');
    expect(debArchitecture('ppc64le')).toBe('ppc64el');
    expect(debArchitecture('mips')).toBeNull();
  });
});

function dpkgLess(a: string, b: string): boolean {
  try {
    execFileSync('dpkg', ['--compare-versions', a, 'lt', b], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('control file', () => {
  it('takes Maintainer, Description and Homepage from core metadata', () => {
    const meta = [
      'Metadata-Version: 2.1',
      'Name: app',
      'Summary: A   tool\tthat greets',
      'Author: Someone Else',
      'Author-email: Ada Lovelace <ada@example.org>, Bob <bob@example.org>',
      'Project-URL: Source, https://example.org/src',
      'Project-URL: Homepage, https://example.org',
      '',
      'Body: not a header'
    ].join('\n');
    expect(debMetadata(meta)).toEqual({
      summary: 'A tool that greets',
      maintainer: 'Ada Lovelace <ada@example.org>',
      homepage: 'https://example.org'
    });
    // Maintainer beats Author; a bare address takes the name field beside it.
    expect(
      debMetadata(
        'Author-email: a@x.org\nMaintainer: Mia\nMaintainer-email: mia@x.org\nHome-page: https://h\n'
      )
    ).toEqual({ summary: null, maintainer: 'Mia <mia@x.org>', homepage: 'https://h' });
    expect(debMetadata('Author: Nobody\n').maintainer).toBeNull();
  });

  it('writes the fields in order, wraps the description and separates paragraphs', () => {
    const text = controlText({
      package: 'app',
      version: '1.0~rc1',
      architecture: 'all',
      maintainer: 'Ada <ada@example.org>',
      installedSize: 12,
      depends: ['python3.11-minimal'],
      homepage: null,
      synopsis: 'A tool',
      description: ['word '.repeat(30), 'Second.']
    });
    const lines = text.split('\n');
    expect(lines.slice(0, 8)).toEqual([
      'Package: app',
      'Version: 1.0~rc1',
      'Architecture: all',
      'Maintainer: Ada <ada@example.org>',
      'Installed-Size: 12',
      'Depends: python3.11-minimal',
      'Section: python',
      'Priority: optional'
    ]);
    expect(lines[8]).toBe('Description: A tool');
    expect(lines.slice(9, -1).every((l) => l.startsWith(' ') && l.length <= 79)).toBe(true);
    const fifteen = ` ${Array(15).fill('word').join(' ')}`;
    expect(lines.slice(9)).toEqual([fifteen, fifteen, ' .', ' Second.', '']);
    expect(wrap('a bb ccc', 4)).toEqual(['a bb', 'ccc']);
  });

  it('md5sums and Installed-Size follow the data entries', () => {
    const data = debDataEntries(
      {
        entries: [
          { path: 'opt/app', type: 'dir', mode: 0o755 },
          { path: 'opt/app/bin', type: 'dir', mode: 0o755 },
          { path: 'opt/app/bin/tool', type: 'file', mode: 0o755, data: Buffer.alloc(1025) }
        ],
        commands: ['tool'],
        pure: true
      },
      '/opt/app'
    );
    expect(data.map((e) => `${e.path}${e.linkname ? ' -> ' + e.linkname : ''}`)).toEqual([
      '.',
      './opt',
      './opt/app',
      './opt/app/bin',
      './opt/app/bin/tool',
      './usr',
      './usr/bin',
      './usr/bin/tool -> /opt/app/bin/tool'
    ]);
    const md5 = createHash('md5').update(Buffer.alloc(1025)).digest('hex');
    expect(md5sums(data)).toBe(`${md5}  opt/app/bin/tool\n`);
    expect(installedSize(data)).toBe(2 + 7);
  });
});

describe('ar', () => {
  it('writes what the real ar reads, and verify reads it back', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-ar-'));
    try {
      const buf = arArchive(
        [
          { name: 'debian-binary', data: Buffer.from('2.0\n') },
          { name: 'odd', data: Buffer.from('abc') },
          { name: 'data.tar.gz', data: Buffer.from('xyz!') }
        ],
        1700000000
      );
      const file = path.join(dir, 'x.deb');
      await fs.writeFile(file, buf);
      expect(execFileSync('ar', ['tv', file], { encoding: 'utf8' })).toMatch(
        /^rw-r--r-- 0\/0\s+4 .*2023 debian-binary\nrw-r--r-- 0\/0\s+3 .* odd\nrw-r--r-- 0\/0\s+4 .* data.tar.gz\n$/
      );
      expect(execFileSync('ar', ['p', file, 'data.tar.gz'], { encoding: 'utf8' })).toBe('xyz!');
      const back = readAr(buf);
      expect(back.map((m) => [m.name, m.data.toString(), m.mtime, m.mode.toString(8)])).toEqual([
        ['debian-binary', '2.0\n', 1700000000, '100644'],
        ['odd', 'abc', 1700000000, '100644'],
        ['data.tar.gz', 'xyz!', 1700000000, '100644']
      ]);
      expect(() =>
        arArchive([{ name: 'a-very-long-member-name', data: Buffer.alloc(0) }], 0)
      ).toThrow(/not a short name/);
      expect(() => readAr(buf.subarray(0, buf.length - 3))).toThrow(/runs past the end/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the target interpreter', () => {
  it('reads the Debian package owning the base interpreter from dpkg file lists', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-dpkg-'));
    try {
      const layer = path.join(dir, 'l.tar');
      await fs.writeFile(
        layer,
        await makeTar([
          { name: 'usr/bin/python3', type: 'symlink', linkname: 'python3.11' },
          { name: 'usr/bin/python3.11', data: elfHead(0x3e) },
          {
            name: 'usr/lib/x86_64-linux-gnu/libc.so.6',
            data: 'GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36.\n'
          },
          { name: 'var/lib/dpkg/info/python3-minimal.list', data: '/.\n/usr/bin/python3\n' },
          {
            name: 'var/lib/dpkg/info/python3.11-minimal.list',
            data: '/.\n/usr\n/usr/bin\n/usr/bin/python3.11\n'
          },
          { name: 'var/lib/dpkg/info/libc6:amd64.list', data: '/usr/bin/python3.11\n' }
        ])
      );
      const layers = [
        {
          digest: 'sha256:x',
          diffId: 'sha256:x',
          size: 0,
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          file: layer
        }
      ];
      const py = findBasePython(await scanLayers(layers, 'b'), 'b');
      expect(py).toEqual({
        executable: '/usr/bin/python3.11',
        version: '3.11',
        arch: 'x86_64',
        libc: { kind: 'glibc', version: [2, 36] },
        debPackage: 'python3.11-minimal'
      });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('parses the host probe and dpkg-query -S', () => {
    expect(parseProbe('/usr/bin/python3.11\nx86_64\nglibc 2.36\nFalse\n', '3.11')).toEqual({
      executable: '/usr/bin/python3.11',
      version: '3.11',
      arch: 'x86_64',
      libc: { kind: 'glibc', version: [2, 36] }
    });
    expect(parseProbe('/usr/bin/python3.12\naarch64\n \nTrue\n', '3.12')?.libc).toEqual({
      kind: 'musl',
      version: [1, 2]
    });
    expect(parseProbe('python\n', '3.12')).toBeNull();
    expect(
      parseDpkgSearch(
        'diversion by x from: /usr/bin/python3.11\npython3.11-minimal:amd64, other: /usr/bin/python3.11\n',
        '/usr/bin/python3.11'
      )
    ).toBe('python3.11-minimal');
    expect(parseDpkgSearch('python3.11: /usr/bin/python3.11-config\n', '/usr/bin/python3.11')).toBe(
      undefined
    );
  });
});

describe('a --target tree laid out as a venv at a prefix', () => {
  it('puts packages in site-packages, points launchers at <prefix>/bin/python, rewrites RECORD', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-venvtree-'));
    try {
      const launcher = '#!python\nimport sys\nfrom app import main\nsys.exit(main())\n';
      await fs.mkdir(path.join(dir, 'bin'));
      await fs.mkdir(path.join(dir, 'app-1.dist-info'));
      await fs.writeFile(path.join(dir, 'bin', 'app'), launcher, { mode: 0o755 });
      await fs.writeFile(path.join(dir, 'app.py'), 'def main(): return 0\n');
      await fs.writeFile(
        path.join(dir, 'app-1.dist-info', 'RECORD'),
        '../../bin/app,sha256=old,10\r\napp-1.dist-info/RECORD,,\r\napp.py,sha256=x,21\r\n'
      );
      const { entries, scripts } = await layerEntries(await walkTree(dir), '3.11', 'opt/app');
      expect(scripts).toEqual(['app']);
      const byPath = new Map(entries.map((e) => [e.path, e]));
      expect([...byPath.keys()].sort()).toEqual([
        'opt/app/bin',
        'opt/app/bin/app',
        'opt/app/lib/python3.11/site-packages/app-1.dist-info',
        'opt/app/lib/python3.11/site-packages/app-1.dist-info/RECORD',
        'opt/app/lib/python3.11/site-packages/app.py'
      ]);
      const bin = byPath.get('opt/app/bin/app');
      expect(bin?.data?.toString()).toBe(launcher.replace('#!python', '#!/opt/app/bin/python'));
      const record = byPath.get('opt/app/lib/python3.11/site-packages/app-1.dist-info/RECORD');
      const hash = createHash('sha256')
        .update(bin?.data as Buffer)
        .digest('base64url');
      // CRLF rows kept; the launcher's row as a venv's pip writes it, from site-packages.
      expect(record?.data?.toString()).toBe(
        `../../../bin/app,sha256=${hash},${(bin?.data as Buffer).length}\r\napp-1.dist-info/RECORD,,\r\napp.py,sha256=x,21\r\n`
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('verify opens venv tarballs and .debs down to their members', () => {
  const clock = 1764032400;
  const side = (label: string): SideEnv => ({ label, workRoot: `/tmp/${label}/w`, clock });
  const site = 'opt/app/lib/python3.11/site-packages';
  const b64 = (d: Buffer): string => createHash('sha256').update(d).digest('base64url');
  /** A venv whose stamp module holds a build time, with RECORD listing its hash. */
  const tree = (t: number): LayerEntry[] => {
    const stamp = Buffer.from(`BUILD_TIME = ${t}\n`);
    const record = `p/__init__.py,sha256=x,0\r\np/_stamp.py,sha256=${b64(stamp)},${stamp.length}\r\np-1.dist-info/RECORD,,\r\n`;
    return [
      { path: 'opt/app', type: 'dir', mode: 0o755 },
      { path: 'opt/app/bin', type: 'dir', mode: 0o755 },
      {
        path: 'opt/app/bin/tool',
        type: 'file',
        mode: 0o755,
        data: Buffer.from('#!/opt/app/bin/python\n')
      },
      { path: `${site}/p/__init__.py`, type: 'file', mode: 0o644, data: Buffer.alloc(0) },
      { path: `${site}/p/_stamp.py`, type: 'file', mode: 0o644, data: stamp },
      { path: `${site}/p-1.dist-info/RECORD`, type: 'file', mode: 0o644, data: Buffer.from(record) }
    ];
  };
  const deb = async (t: number, sde = 1700000000): Promise<Buffer> =>
    (
      await debArchive({
        tree: { entries: tree(t), commands: ['tool'], pure: true },
        prefix: '/opt/app',
        sde,
        package: 'app',
        version: '1',
        architecture: 'all',
        maintainer: 'A <a@x>',
        depends: [],
        homepage: null,
        synopsis: 's',
        description: []
      })
    ).deb;

  it('a .deb: the data member, and md5sums following it, both with the cause timestamp', async () => {
    const a = await deb(clock);
    expect((await deb(clock)).equals(a)).toBe(true);
    const ds = classifyAll(await compareBuffers(a, await deb(clock + 5)), side('a'), side('b'));
    const by = new Map(ds.map((d) => [`${d.member} ${d.kind}`, d.cause]));
    expect(by.get(`data.tar.gz!./${site}/p/_stamp.py content`)).toBe('timestamp');
    expect(by.get(`data.tar.gz!./${site}/p-1.dist-info/RECORD content`)).toBe('timestamp');
    expect(by.get('control.tar.gz!./md5sums content')).toBe('timestamp');
    expect(ds.find((d) => d.member === 'control.tar.gz!./md5sums')?.detail).toMatch(
      /\(cause: lists the hashes of differing members: .*data\.tar\.gz!\.\/opt\/app\/lib\/python3\.11\/site-packages\/p\/_stamp\.py\)$/
    );
    expect(ds.every((d) => d.cause === 'timestamp')).toBe(true);
  });

  it('a .deb with other member times: ar and tar mtimes, reported as timestamps', async () => {
    const ds = classifyAll(
      await compareBuffers(await deb(clock, 1700000000), await deb(clock, 1700000100)),
      side('a'),
      side('b')
    );
    const ar = ds.filter((d) => !d.member.includes('!'));
    expect(ar.map((d) => [d.member, d.kind, d.cause])).toEqual(
      expect.arrayContaining([
        ['debian-binary', 'mtime', 'timestamp'],
        ['data.tar.gz', 'mtime', 'timestamp']
      ])
    );
    expect(ds.find((d) => d.member === `data.tar.gz!./${site}/p/_stamp.py`)?.kind).toBe('mtime');
  });

  it('a venv tarball: RECORD in site-packages follows the module it lists', async () => {
    const [a, b] = await Promise.all([buildLayer(tree(clock), 1), buildLayer(tree(clock + 5), 1)]);
    const ds = classifyAll(await compareBuffers(a.data, b.data), side('a'), side('b'));
    expect(ds.map((d) => [d.member, d.kind, d.cause])).toEqual([
      [`${site}/p-1.dist-info/RECORD`, 'content', 'timestamp'],
      [`${site}/p/_stamp.py`, 'content', 'timestamp']
    ]);
  });
});

describe('summary, comment, terminal and Action outputs', () => {
  const job = pureJob();
  job.artifacts.push(
    {
      file: 'albatross-x_1.2.0_amd64.deb',
      kind: 'deb',
      target: 'deb',
      sha256: 'd'.repeat(64),
      size: 2_500_000,
      python: '3.11',
      details: { platform: 'linux/x86_64 glibc 2.36', prefix: '/opt/greeter' }
    },
    {
      file: 'greeter-1.2.0.venv.tar.gz',
      kind: 'venv',
      target: 'venv',
      sha256: 'e'.repeat(64),
      size: 12_000,
      python: '3.11',
      details: { platform: 'any', prefix: '/opt/greeter' }
    }
  );
  const agg = aggregate([{ dir: '/a', label: 'package', manifest: job, repro: null }]);

  it('list venvs and .debs after the wheels, with their platform', () => {
    for (const md of [renderSummary(agg), renderComment(agg)]) {
      // The artifact table (the comment's short size table before it has three columns).
      const rows = md
        .split('\n')
        .filter((l) => /^\| `?(greeter|albatross-x)/.test(l) && l.split('|').length > 6);
      expect(rows.map((r) => r.split('|')[1].trim())).toEqual([
        'greeter-1.2.0.tar.gz',
        'greeter-1.2.0-py3-none-any.whl',
        'greeter-1.2.0.venv.tar.gz',
        // cell() escapes markdown's emphasis characters.
        'albatross-x&#95;1.2.0&#95;amd64.deb'
      ]);
      expect(
        rows[2]
          .split('|')
          .slice(2, 5)
          .map((c) => c.trim())
      ).toEqual(['venv', 'any', '3.11']);
      expect(
        rows[3]
          .split('|')
          .slice(2, 5)
          .map((c) => c.trim())
      ).toEqual(['deb', 'linux/x86&#95;64 glibc 2.36', '3.11']);
    }
    expect(renderManifestTable(job)).toMatch(
      /albatross-x_1\.2\.0_amd64\.deb\s+deb\s+linux\/x86_64 glibc 2\.36/
    );
  });

  it('give the Action its venv and deb outputs (empty when the format did not run)', () => {
    const outcome = (added: typeof job.artifacts) =>
      packageResult({
        model: {} as never,
        outDir: '/o',
        formats: [],
        manifest: job,
        exitCode: 0,
        package: { manifest: job, ok: true, artifacts: added, failures: [], exitCode: 0 }
      }).outputs;
    expect(outcome(job.artifacts.slice(2))).toMatchObject({
      venv: 'greeter-1.2.0.venv.tar.gz',
      deb: 'albatross-x_1.2.0_amd64.deb'
    });
    expect(outcome([])).toMatchObject({ venv: '', deb: '' });
  });
});
