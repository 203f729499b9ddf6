import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { verifyCommand } from '../../src/commands/verify.js';
import { Options } from '../../src/config/options.js';
import { ArtifactEntry } from '../../src/manifest/model.js';
import { Reproducibility } from '../../src/manifest/reproducibility.js';
import { exec, execCapture } from '../../src/runtime/exec.js';
import { sha256File } from '../../src/runtime/fsutil.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { pipEnv } from '../../src/runtime/pip.js';
import { findPython } from '../../src/runtime/python.js';
import { readAr } from '../../src/verify/ar.js';
import { TarMember, readTar } from '../../src/verify/tar.js';
import { arm64Base, baseWithoutPython } from '../helpers/bases.js';
import {
  DOCKER_SKIP_REASON,
  TEST_PYTHON_ARCHIVE,
  TEST_PYTHON_IMAGE,
  dockerEnv,
  imageReady
} from '../helpers/docker.js';
import { itIf, testOptions } from '../helpers/env.js';
import { packageFromWheels } from '../helpers/package.js';
import { APP_FIXTURE, CDEP_FIXTURE } from '../helpers/services/cache-fixture.js';

const FIXTURE = path.resolve('fixtures/package-app');
const SDE = 1700000000;
const BASE = `docker-archive:${TEST_PYTHON_ARCHIVE}`;
const PREFIX = '/opt/albatross-package-app';
const GREETING = 'hello from pkgapp 1.2.0 (six 1.17.0, py3)';
const HAVE_IMAGE = existsSync(TEST_PYTHON_ARCHIVE) && imageReady(TEST_PYTHON_IMAGE);
const CLI = ['node', '--import', 'tsx', path.resolve('src/cli/index.ts')];

type Variant = 'app' | 'lib' | 'plain' | 'capp';

/** The fixture with a maintainer and a homepage (a .deb's Maintainer needs an email). */
function withMaintainer(toml: string): string {
  return toml.replace(
    /^requires-python = .*$/m,
    (l) =>
      `${l}\nauthors = [{ name = "Ada Lovelace", email = "ada@example.org" }]\nurls = { Homepage = "https://example.org/pkgapp" }`
  );
}

async function pipWheel(src: string, out: string, deps = false): Promise<void> {
  const py = (await findPython('3.11')) as NonNullable<Awaited<ReturnType<typeof findPython>>>;
  await exec(
    [py.executable, '-m', 'pip', 'wheel', '--quiet', ...(deps ? [] : ['--no-deps'])].concat([
      '--wheel-dir',
      out,
      src
    ]),
    { extraEnv: pipEnv(testOptions()) },
    `building ${path.basename(src)}`
  );
}

/** Runs `script` with sh in the Debian test image, no network, OUT mounted read-only at /in. */
function inDebian(out: string, script: string): string {
  return execFileSync(
    'docker',
    ['run', '--rm', '--network', 'none', '-v', `${out}:/in:ro`, TEST_PYTHON_IMAGE].concat([
      'sh',
      '-ec',
      script
    ]),
    { env: dockerEnv(), encoding: 'utf8' }
  ).trim();
}

/** Every member's text and header: nothing may name the build machine's directories. */
function leaks(members: TarMember[], needles: string[]): string[] {
  const out: string[] = [];
  for (const m of members)
    for (const n of needles)
      if (m.data.toString('latin1').includes(n) || m.linkname.includes(n) || m.name.includes(n))
        out.push(`${m.name}: ${n}`);
  return out;
}

describe('venv and deb formats (real pip, real dpkg, the Debian test image)', () => {
  let work: string;
  let arm64: string;

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-pkg-venv-'));
    const toml = await fs.readFile(path.join(FIXTURE, 'pyproject.toml'), 'utf8');
    for (const v of ['app', 'lib', 'plain'] as const) {
      await fs.cp(FIXTURE, path.join(work, v), { recursive: true });
    }
    await fs.writeFile(path.join(work, 'app', 'pyproject.toml'), withMaintainer(toml));
    // A library: the same package with no console script.
    await fs.writeFile(
      path.join(work, 'lib', 'pyproject.toml'),
      withMaintainer(toml).replace(/\[project\.scripts\]\n[^\n]+\n/, '')
    );
    await fs.cp(APP_FIXTURE, path.join(work, 'capp'), { recursive: true });
    await Promise.all([
      ...(['app', 'lib', 'plain', 'capp'] as const).map((v) =>
        pipWheel(path.join(work, v), path.join(work, `wheels-${v}`))
      ),
      // The native dependency of capp, built here for this machine (linux_x86_64).
      pipWheel(CDEP_FIXTURE, path.join(work, 'cdep'))
    ]);
    arm64 = path.join(work, 'arm64.tar');
    await arm64Base(arm64);
  }, 300_000);

  afterAll(async () => {
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  const pack = async (
    variant: Variant,
    out: string,
    format: 'venv' | 'deb',
    extra: Partial<Options> = {}
  ) => {
    await fs.cp(path.join(work, `wheels-${variant}`), out, { recursive: true });
    const opts = testOptions({
      projectDir: path.join(work, variant),
      sourceDateEpoch: SDE,
      base: BASE,
      python: ['3.11'],
      cacheDir: path.join(work, 'cache'),
      ...extra
    });
    const r = await packageFromWheels(out, opts, format);
    return {
      ...r,
      entry: r.manifest.artifacts.find((a) => a.kind === format) as ArtifactEntry
    };
  };

  itIf(HAVE_IMAGE, DOCKER_SKIP_REASON)(
    'venv: byte-identical twice; unpacked at / in the Debian image (no network) its console script runs',
    async () => {
      const a = await pack('app', path.join(work, 'v1'), 'venv');
      expect(a.ok).toBe(true);
      expect(a.entry).toMatchObject({
        file: 'albatross-package-app-1.2.0.venv.tar.gz',
        kind: 'venv',
        target: 'venv',
        python: '3.11',
        details: {
          prefix: PREFIX,
          interpreter: '/usr/bin/python3.11',
          base: BASE,
          platform: 'any',
          commands: ['pkgapp'],
          wheel: 'albatross_package_app-1.2.0-py3-none-any.whl',
          dependencies: ['six-1.17.0-py2.py3-none-any.whl']
        }
      });
      expect(a.log).toContain(
        `info: venv: the base image ${BASE}: CPython 3.11 at /usr/bin/python3.11, linux/x86_64 glibc 2.36`
      );
      const file = path.join(work, 'v1', a.entry.file);
      expect(a.entry.sha256).toBe(await sha256File(file));
      // Again elsewhere, the base's inspection now remembered: the same bytes.
      const b = await pack('app', path.join(work, 'v2'), 'venv');
      expect(b.entry.sha256).toBe(a.entry.sha256);
      expect(await sha256File(path.join(work, 'v2', b.entry.file))).toBe(a.entry.sha256);

      const tar = await readTar(await fs.readFile(file));
      expect(tar.gzip).toMatchObject({ mtime: 0, os: 3, name: '' });
      const names = tar.members.map((m) => m.name);
      expect(names[0]).toBe(`${PREFIX.slice(1)}/`);
      expect(names.every((n) => n.startsWith(`${PREFIX.slice(1)}/`))).toBe(true);
      expect([...names].sort()).toEqual(names);
      expect(names.some((n) => /__pycache__|\.pyc$/.test(n))).toBe(false);
      for (const m of tar.members) {
        expect([m.uid, m.gid, m.uname, m.gname, m.mtime]).toEqual([0, 0, '', '', SDE]);
        expect([0o755, 0o644, 0o777]).toContain(m.mode);
      }
      const member = (p: string) => tar.members.find((m) => m.name === `${PREFIX.slice(1)}/${p}`);
      expect(member('bin/python')?.linkname).toBe('/usr/bin/python3.11');
      expect(member('pyvenv.cfg')?.data.toString()).toMatch(/^home = \/usr\/bin\n/);
      expect(member('bin/pkgapp')?.data.toString()).toMatch(
        /^#!\/opt\/albatross-package-app\/bin\/python\n/
      );
      // Built at its prefix: nothing names the install tree pip wrote, the host's Python or /tmp.
      const host = realpathSync((await findPython('3.11'))!.executable);
      expect(
        leaks(tar.members, [work, os.tmpdir() + '/', 'albatross-venv-', path.dirname(host)])
      ).toEqual([]);

      const run = inDebian(
        path.join(work, 'v1'),
        `tar -xzf /in/${a.entry.file} -C /
${PREFIX}/bin/pkgapp
${PREFIX}/bin/python -c 'import sys, six; print(sys.prefix, six.__file__)'`
      );
      expect(run.split('\n')).toEqual([
        GREETING,
        `${PREFIX} ${PREFIX}/lib/python3.11/site-packages/six.py`
      ]);
    },
    300_000
  );

  itIf(HAVE_IMAGE, DOCKER_SKIP_REASON)(
    'deb: byte-identical twice; dpkg -i in the Debian image puts the command in /usr/bin, dpkg -r takes everything away',
    async () => {
      const a = await pack('app', path.join(work, 'd1'), 'deb');
      expect(a.ok).toBe(true);
      expect(a.entry).toMatchObject({
        file: 'albatross-package-app_1.2.0_all.deb',
        kind: 'deb',
        details: {
          package: 'albatross-package-app',
          version: '1.2.0',
          architecture: 'all',
          depends: ['python3.11-minimal'],
          maintainer: 'Ada Lovelace <ada@example.org>',
          prefix: PREFIX,
          commands: ['pkgapp']
        }
      });
      const file = path.join(work, 'd1', a.entry.file);
      const b = await pack('app', path.join(work, 'd2'), 'deb');
      expect(await sha256File(path.join(work, 'd2', b.entry.file))).toBe(await sha256File(file));
      expect(b.entry.sha256).toBe(a.entry.sha256);

      // The real dpkg-deb reads it.
      const field = (f: string) =>
        execFileSync('dpkg-deb', ['-f', file, f], { encoding: 'utf8' }).trim();
      expect(field('Package')).toBe('albatross-package-app');
      expect(field('Version')).toBe('1.2.0');
      expect(field('Architecture')).toBe('all');
      expect(field('Depends')).toBe('python3.11-minimal');
      expect(field('Maintainer')).toBe('Ada Lovelace <ada@example.org>');
      expect(field('Homepage')).toBe('https://example.org/pkgapp');
      expect(field('Description').split('\n')[0]).toBe(
        'Albatross package fixture: a pure application with one pure dependency.'
      );
      const contents = execFileSync('dpkg-deb', ['-c', file], { encoding: 'utf8' });
      expect(contents).toMatch(
        /^lrwxrwxrwx 0\/0 +0 2023-11-14 22:13 \.\/usr\/bin\/pkgapp -> \/opt\/albatross-package-app\/bin\/pkgapp$/m
      );
      const ar = readAr(await fs.readFile(file));
      expect(ar.map((m) => [m.name, m.mtime, m.uid, m.gid])).toEqual([
        ['debian-binary', SDE, 0, 0],
        ['control.tar.gz', SDE, 0, 0],
        ['data.tar.gz', SDE, 0, 0]
      ]);

      // As root the app writes __pycache__ beside its sources; prerm takes it, dpkg the rest.
      const run = inDebian(
        path.join(work, 'd1'),
        `dpkg -i /in/${a.entry.file} >/dev/null
pkgapp
dpkg --verify albatross-package-app && echo verified
dpkg -r albatross-package-app >/dev/null
test ! -e ${PREFIX} && test ! -e /usr/bin/pkgapp && echo removed`
      );
      expect(run.split('\n')).toEqual([GREETING, 'verified', 'removed']);
    },
    300_000
  );

  it('venv on the host Python at a prefix of its own: unpacked at / it runs where it was built', async () => {
    // The prefix lies in this test's work directory, so installing it touches nothing else.
    const prefix = path.join(work, 'installed', 'pkgapp');
    const r = await pack('app', path.join(work, 'h1'), 'venv', { base: '', prefix });
    expect(r.ok).toBe(true);
    const host = realpathSync((await findPython('3.11'))!.executable);
    expect(r.entry.details).toMatchObject({ prefix, interpreter: host, base: null });
    const file = path.join(work, 'h1', r.entry.file);
    const tar = await readTar(await fs.readFile(file));
    expect(
      tar.members.find((m) => m.name === `${prefix.slice(1)}/pyvenv.cfg`)?.data.toString()
    ).toBe(
      `home = ${path.dirname(host)}\ninclude-system-site-packages = false\nversion = 3.11\nexecutable = ${host}\n`
    );
    expect(leaks(tar.members, ['albatross-venv-', path.join(work, 'h1')])).toEqual([]);
    execFileSync('tar', ['-xzf', file, '-C', '/']);
    const out = execFileSync(path.join(prefix, 'bin', 'pkgapp'), { encoding: 'utf8' }).trim();
    expect(out).toBe(GREETING);
    const py = execFileSync(
      path.join(prefix, 'bin', 'python'),
      ['-c', 'import sys; print(sys.prefix == sys.exec_prefix, sys.prefix)'],
      { encoding: 'utf8' }
    ).trim();
    expect(py).toBe(`True ${prefix}`);
  }, 300_000);

  itIf(HAVE_IMAGE, DOCKER_SKIP_REASON)(
    'a library venv is allowed (a line says there is no command); its deb is not',
    async () => {
      const v = await pack('lib', path.join(work, 'l1'), 'venv');
      expect(v.ok).toBe(true);
      expect(v.entry.details).toMatchObject({ commands: [] });
      expect(v.log).toContain(
        `info: venv: albatross-package-app declares no console script: the venv holds the library and ${PREFIX}/bin/python, no command`
      );
      const run = inDebian(
        path.join(work, 'l1'),
        `tar -xzf /in/${v.entry.file} -C /
ls ${PREFIX}/bin
${PREFIX}/bin/python -c 'import pkgapp, six; print(pkgapp.__version__)'`
      );
      expect(run.split('\n')).toEqual(['python', 'python3', 'python3.11', '1.2.0']);
      // Called directly (no configuration check before it), deb refuses and lists nothing.
      const d = await pack('lib', path.join(work, 'l2'), 'deb');
      expect(d.ok).toBe(false);
      expect(d.failures[0].message).toBe(
        'albatross_package_app-1.2.0-py3-none-any.whl declares no console script for /usr/bin; package a library as `venv`'
      );
      expect(d.manifest.artifacts.some((a) => a.kind === 'deb')).toBe(false);
      expect((await fs.readdir(path.join(work, 'l2'))).some((f) => f.endsWith('.deb'))).toBe(false);
    },
    300_000
  );

  it('bad input: a base without Python, a native dependency for another platform, no maintainer', async () => {
    const noPy = path.join(work, 'nopython.tar');
    await baseWithoutPython(noPy);
    const r1 = await pack('app', path.join(work, 'b1'), 'venv', { base: `docker-archive:${noPy}` });
    expect(r1.ok).toBe(false);
    expect(r1.failures[0].message).toMatch(
      /^base docker-archive:.*nopython.tar: no Python interpreter found \(looked for \/usr\/local\/bin\/python3 and \/usr\/bin\/python3\)/
    );
    expect(r1.manifest.artifacts.some((a) => a.kind === 'venv')).toBe(false);

    // capp's dependency albacore-cdep is a C extension built here (linux_x86_64); the base is arm64.
    const r2 = await pack('capp', path.join(work, 'b2'), 'venv', {
      base: `docker-archive:${arm64}`,
      findLinks: [...testOptions().findLinks, path.join(work, 'cdep')]
    });
    expect(r2.ok).toBe(false);
    expect(r2.failures[0].message).toMatch(
      /^venv: albacore_cdep-1\.0\.0-cp311-cp311-linux_x86_64\.whl does not fit the base image docker-archive:.*arm64\.tar \(CPython 3\.11, linux\/aarch64, glibc 2\.36\): platform linux_x86_64 does not run on linux\/aarch64 \(glibc 2\.36\)$/
    );
    expect(
      (await fs.readdir(path.join(work, 'b2'))).some(
        (f) => f.endsWith('.tar.gz') && f.includes('venv')
      )
    ).toBe(false);

    const r3 = await pack('plain', path.join(work, 'b3'), 'deb');
    expect(r3.ok).toBe(false);
    expect(r3.failures[0].message).toBe(
      'albatross_package_app-1.2.0-py3-none-any.whl: its metadata names no maintainer or author with an email address, which the Maintainer field needs (set [project] maintainers or authors with an email)'
    );
  }, 300_000);

  it('verify: a build time planted in a module shows in the venv and the .deb, member and cause', async () => {
    // The verify fixture, made an application with a maintainer (a .deb needs both).
    const dir = path.join(work, 'planted');
    await fs.cp(path.resolve('fixtures/verify-planted'), dir, { recursive: true });
    const toml = await fs.readFile(path.join(dir, 'pyproject.toml'), 'utf8');
    await fs.writeFile(
      path.join(dir, 'pyproject.toml'),
      withMaintainer(toml) + '\n[project.scripts]\nvpl = "vpl:main"\n'
    );
    await fs.appendFile(path.join(dir, 'vpl', '__init__.py'), '\ndef main():\n    print("vpl")\n');
    const out = path.join(work, 'planted-out');
    const res = await verifyCommand({
      opts: testOptions({
        projectDir: dir,
        out,
        python: ['3.11'],
        mode: 'host',
        test: false,
        sensitivity: false,
        format: ['venv', 'deb'],
        cacheDir: path.join(work, 'cache')
      }),
      log: memoryLogger()
    });
    const r = res.json as Reproducibility;
    expect(res.exitCode).toBe(1);
    const site = 'opt/albatross-verify-planted/lib/python3.11/site-packages';
    const venv = r.artifacts.find((a) => a.file === 'albatross-verify-planted-1.0.0.venv.tar.gz');
    const deb = r.artifacts.find((a) => a.file === 'albatross-verify-planted_1.0.0_all.deb');
    for (const [a, inner] of [
      [venv, site],
      [deb, `data.tar.gz!./${site}`]
    ] as const) {
      expect(a?.reproducible).toBe(false);
      const cause = (m: string) => a?.differences.find((d) => d.member === m)?.cause;
      expect(cause(`${inner}/vpl/_stamp.py`)).toBe('timestamp');
      expect(cause(`${inner}/vpl/_token.py`)).toBe('randomness');
      // Hash lists follow the members they list.
      expect(cause(`${inner}/albatross_verify_planted-1.0.0.dist-info/RECORD`)).toMatch(
        /^(timestamp|randomness)$/
      );
      expect(a?.differences.every((d) => d.cause !== 'unknown')).toBe(true);
    }
    expect(deb?.differences.find((d) => d.member === 'control.tar.gz!./md5sums')?.cause).toMatch(
      /^(timestamp|randomness)$/
    );
    // Nothing but the planted modules (and what lists them) differs: no build path, no owner.
    const members = [venv, deb].flatMap((a) => a?.differences.map((d) => d.member) ?? []);
    expect(
      members.filter((m) => !/(_stamp|_token)\.py$|RECORD$|md5sums$|\.tar\.gz$/.test(m))
    ).toEqual([]);
  }, 300_000);

  it('bad configuration stops the CLI before any work (exit 2, one line naming the flag)', async () => {
    const cli = (...args: string[]) => execCapture([...CLI, ...args], { timeoutMs: 120_000 });
    const out = path.join(work, 'cli-out');
    const [rel, lib] = await Promise.all([
      cli(
        'package',
        path.join(work, 'app'),
        '--format',
        'venv',
        '--prefix',
        'opt/app',
        '--out',
        out
      ),
      cli('package', path.join(work, 'lib'), '--format', 'deb', '--out', out)
    ]);
    // One line each (the CLI's own prefix before the message is not this test's business).
    expect(rel.code).toBe(2);
    expect(rel.stderr.trim().split('\n')).toHaveLength(1);
    expect(rel.stderr).toContain(
      "flag --prefix: 'opt/app' is not an absolute path (the directory the venv is installed at, e.g. /opt/app)"
    );
    expect(lib.code).toBe(2);
    expect(lib.stderr.trim().split('\n')).toHaveLength(1);
    expect(lib.stderr).toContain(
      'format: deb puts the console scripts in /usr/bin, and the project declares none; package a library as `venv`'
    );
    expect(existsSync(out)).toBe(false);
  }, 180_000);
});
