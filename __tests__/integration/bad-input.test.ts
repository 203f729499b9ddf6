import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execCapture, ExecResult } from '../../src/runtime/exec.js';

/**
 * Bad input, as a careless user (or an attacker) gives it, through the real CLI binary: each
 * row asserts the exit code of the contract, one readable line naming the flag, key, file or
 * path (and line for parse errors), no stack trace, and what is left on disk: the row's
 * directory (project, --out, files it points at) exactly as it was, no albatross temp dir.
 */
const CLI = ['node', '--import', 'tsx', path.resolve('src/cli/index.ts')];

/** The places a row can point at. `out` does not exist; `file` is a regular file. */
interface Ctx {
  p: string;
  out: string;
  file: string;
  dir: string;
  row: string;
  ro: string;
}

interface Row {
  name: string;
  args: (c: Ctx) => string[];
  code: number;
  message: RegExp | ((c: Ctx) => RegExp);
  /** Project files (path → text or bytes); default: a small pure project. */
  files?: Record<string, string | Buffer>;
  /** Extra setup in the row's directory (after the files are written). */
  setup?: (c: Ctx) => Promise<void>;
}

const PROJECT = `[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "badin"
version = "1.0.0"
requires-python = ">=3.9"

[project.scripts]
badin = "badin:main"
`;
const SOURCE = { 'src/badin/__init__.py': 'def main():\n    print("badin")\n' };

/** The default project with `[tool.albatross]` set to `tool`. */
const withTool = (tool: string): Record<string, string> => ({
  'pyproject.toml': `${PROJECT}\n[tool.albatross]\n${tool}\n`,
  ...SOURCE
});
/** The default project with its [project] table replaced. */
const withProject = (
  project: string,
  buildSystem = PROJECT.split('\n\n')[0]
): Record<string, string> => ({
  'pyproject.toml': `${buildSystem}\n\n[project]\n${project}\n`,
  ...SOURCE
});
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const ROWS: Row[] = [
  // ---- flags ----
  {
    name: 'unknown flag',
    args: (c) => ['plan', c.p, '--frobnicate'],
    code: 2,
    message: /--frobnicate/
  },
  {
    name: 'misspelled flag',
    args: (c) => ['build', c.p, '--ouut', c.out],
    code: 2,
    message: /--ouut/
  },
  {
    name: 'flag without its value',
    args: (c) => ['build', c.p, '--out'],
    code: 2,
    message: /--out/
  },
  {
    name: 'short flag without its value',
    args: (c) => ['build', c.p, '-o'],
    code: 2,
    message: /flag (-o, )?--out needs a value/
  },
  { name: 'unknown short flag', args: (c) => ['plan', c.p, '-z'], code: 2, message: /-z\b/ },
  {
    name: 'boolean flag given a value',
    args: (c) => ['plan', c.p, '--json=yes'],
    code: 2,
    message: /--json/
  },
  {
    name: 'contradicting boolean flags',
    args: (c) => ['build', c.p, '--test', '--no-test', '--out', c.out],
    code: 2,
    message: /--test.*--no-test/
  },
  {
    name: 'two project directories',
    args: (c) => ['plan', c.p, c.p],
    code: 2,
    message: /unexpected argument/
  },
  // ---- values of every option type ----
  {
    name: 'int: not a number',
    args: (c) => ['build', c.p, '--jobs', 'abc'],
    code: 2,
    message: /flag --jobs: expected a non-negative integer, got "abc"/
  },
  {
    name: 'int: negative',
    args: (c) => ['build', c.p, '--jobs=-1'],
    code: 2,
    message: /flag --jobs: expected a non-negative integer/
  },
  {
    name: 'int: fraction',
    args: (c) => ['build', c.p, '--jobs', '1.5'],
    code: 2,
    message: /flag --jobs: expected a non-negative integer/
  },
  {
    name: 'int: beyond 2^53',
    args: (c) => ['build', c.p, '--jobs', '99999999999999999999'],
    code: 2,
    message: /flag --jobs: expected a non-negative integer/
  },
  {
    name: 'int: SOURCE_DATE_EPOCH a word',
    args: (c) => ['build', c.p, '--source-date-epoch', 'yesterday', '--out', c.out],
    code: 2,
    message: /flag --source-date-epoch: expected a non-negative integer/
  },
  {
    name: 'int: SOURCE_DATE_EPOCH after 2107',
    args: (c) => ['build', c.p, '--source-date-epoch', '99999999999', '--out', c.out],
    code: 2,
    message: /flag --source-date-epoch: 99999999999 is after 2107-12-31/
  },
  {
    name: 'enum: mode',
    args: (c) => ['plan', c.p, '--mode', 'bogus'],
    code: 2,
    message: /flag --mode: expected one of auto, host, container, got "bogus"/
  },
  {
    name: 'enum: container engine',
    args: (c) => ['build', c.p, '--container-engine', 'rkt', '--out', c.out],
    code: 2,
    message: /flag --container-engine: expected one of auto, docker, podman/
  },
  {
    name: 'enum: manylinux policy',
    args: (c) => ['plan', c.p, '--manylinux', '2_99'],
    code: 2,
    message: /flag --manylinux: expected one of 2014, 2_28, 2_34/
  },
  {
    name: 'list: platform bucket (pure project)',
    args: (c) => ['plan', c.p, '--platforms', 'solaris-sparc'],
    code: 2,
    message: /flag --platforms: unknown value 'solaris-sparc' \(expected one of manylinux-x86_64/
  },
  {
    name: 'list: format (plan)',
    args: (c) => ['plan', c.p, '--format', 'exe'],
    code: 2,
    message:
      /flag --format: unknown value 'exe' \(did you mean 'pex'\?\) \(expected one of zipapp, pex, image, venv, deb\)/
  },
  {
    name: 'list: format (package)',
    args: (c) => ['package', c.p, '--format', 'zipapp,exe', '--out', c.out],
    code: 2,
    message: /flag --format: unknown value 'exe'/
  },
  {
    name: 'list: python not a version',
    args: (c) => ['plan', c.p, '--python', 'abc'],
    code: 2,
    message: /flag --python: 'abc' is not a CPython minor version/
  },
  {
    name: 'list: python outside requires-python',
    args: (c) => ['plan', c.p, '--python', '3.11'],
    code: 2,
    message: /--python.*3\.11 is not allowed by requires-python '>=3\.12'/,
    files: withProject('name = "badin"\nversion = "1.0.0"\nrequires-python = ">=3.12"')
  },
  {
    name: 'list: python outside the target set',
    args: (c) => ['plan', c.p, '--python', '3.9'],
    code: 2,
    message: /--python.*3\.9 is not in the target set/
  },
  {
    name: 'list: target-pythons',
    args: (c) => ['plan', c.p, '--target-pythons', '3,3.12'],
    code: 2,
    message: /flag --target-pythons: '3' is not a CPython minor version/
  },
  {
    name: 'map: entry without =',
    args: (c) => ['plan', c.p, '--images', 'foo'],
    code: 2,
    message: /flag --images: expected `key=value` entries/
  },
  {
    name: 'map: unknown bucket',
    args: (c) => ['build', c.p, '--images', 'solaris=img', '--out', c.out],
    code: 2,
    message: /flag --images: unknown key 'solaris'/
  },
  {
    name: 'string: test-command with an unterminated "',
    args: (c) => ['build', c.p, '--test-command', 'python -c "import badin', '--out', c.out],
    code: 2,
    message: /flag --test-command: unterminated " quote/
  },
  {
    name: "string: test-command with an unterminated '",
    args: (c) => ['build', c.p, '--test-command', "echo it's", '--out', c.out],
    code: 2,
    message: /flag --test-command: unterminated ' quote/
  },
  {
    name: 'url: index-url with an unsupported scheme',
    args: (c) => ['build', c.p, '--index-url', 'ftp://mirror/simple', '--out', c.out],
    code: 2,
    message: /flag --index-url: 'ftp:\/\/mirror\/simple' is not an http\(s\):\/\/ or file:\/\/ URL/
  },
  {
    name: 'url: index-url malformed',
    args: (c) => ['build', c.p, '--index-url', 'http://[bad', '--out', c.out],
    code: 2,
    message: /flag --index-url: 'http:\/\/\[bad' is not a valid URL/
  },
  {
    name: 'url: extra-index-url scheme',
    args: (c) => ['build', c.p, '--extra-index-url', 'gopher://x', '--out', c.out],
    code: 2,
    message: /flag --extra-index-url: 'gopher:\/\/x'/
  },
  {
    name: 'path: index-url directory missing',
    args: (c) => ['build', c.p, '--index-url', path.join(c.row, 'no-index'), '--out', c.out],
    code: 2,
    message: /flag --index-url: .*no-index does not exist/
  },
  {
    name: 'path: find-links missing',
    args: (c) => ['build', c.p, '--find-links', path.join(c.row, 'no-wheels'), '--out', c.out],
    code: 2,
    message: /flag --find-links: .*no-wheels does not exist/
  },
  {
    name: 'path: relative find-links resolves in the project',
    args: (c) => ['build', c.p, '--find-links', 'wheels', '--out', c.out],
    code: 2,
    message: (c) => new RegExp(`flag --find-links: ${esc(path.join(c.p, 'wheels'))} does not exist`)
  },
  {
    name: 'path: file:// find-links missing',
    args: (c) => ['package', c.p, '--find-links', `file://${c.row}/gone`, '--out', c.out],
    code: 2,
    message: /flag --find-links: .*\/gone does not exist/
  },
  {
    name: 'string: user',
    args: (c) => ['package', c.p, '--format', 'image', '--user', 'Bad User', '--out', c.out],
    code: 2,
    message: /flag --user: 'Bad User' is not a user name or uid\[:gid\]/
  },
  {
    name: 'string: empty shebang',
    args: (c) => ['package', c.p, '--format', 'zipapp', '--shebang', ' ', '--out', c.out],
    code: 2,
    message: /flag --shebang: must name an interpreter/
  },
  {
    name: 'string: empty --out',
    args: (c) => ['build', c.p, '--out', ''],
    code: 2,
    message: /flag --out: must not be empty/
  },
  {
    name: 'string: zipapp-platform not a tag',
    args: (c) => [
      'package',
      c.p,
      '--format',
      'zipapp',
      '--zipapp-platform',
      'Linux x86',
      '--out',
      c.out
    ],
    code: 2,
    message: /flag --zipapp-platform: 'Linux x86' is not a wheel platform tag/
  },
  {
    name: 'entry-point: no such script (package)',
    args: (c) => ['package', c.p, '--format', 'zipapp', '--entry-point', 'nosuch', '--out', c.out],
    code: 2,
    message:
      /entry-point: 'nosuch' is neither a console script of the project \(badin\) nor module:function/
  },
  {
    name: 'entry-point: no such script (run, before the build)',
    args: (c) => [c.p, '--format', 'pex', '--entry-point', 'no such', '--out', c.out],
    code: 2,
    message: /entry-point: 'no such' is neither a console script/
  },
  {
    name: 'entry-point: several scripts, none chosen (plan)',
    args: (c) => ['plan', c.p, '--format', 'zipapp'],
    files: withProject(
      'name = "badin"\nversion = "1.0"\nscripts = { a = "badin:main", b = "badin:main" }'
    ),
    code: 2,
    message: /entry-point: the project has several console scripts \(a, b\)/
  },
  {
    name: 'package: nothing to package',
    args: (c) => ['package', c.p, '--out', c.out],
    files: withProject('name = "badin"\nversion = "1.0"'),
    code: 3,
    message: /package: the project declares no console script/
  },
  // ---- paths ----
  {
    name: '--out is a file (build)',
    args: (c) => ['build', c.p, '--out', c.file],
    code: 2,
    message: (c) => new RegExp(`flag --out: ${esc(c.file)} is a file, not a directory`)
  },
  {
    name: '--out is a file (verify, before the double build)',
    args: (c) => ['verify', c.p, '--out', c.file],
    code: 2,
    message: /flag --out: .* is a file, not a directory/
  },
  {
    name: '--out is a file (package)',
    args: (c) => ['package', c.p, '--format', 'zipapp', '--out', c.file],
    code: 2,
    message: /flag --out: .* is a file, not a directory/
  },
  {
    name: '--out is a file (run)',
    args: (c) => [c.p, '--out', c.file],
    code: 2,
    message: /flag --out: .* is a file, not a directory/
  },
  {
    name: '--out is a file (report)',
    args: (c) => ['report', c.p, '--out', c.file],
    code: 2,
    message: /flag --out: .* is a file, not a directory/
  },
  {
    name: '--out below a file',
    args: (c) => ['build', c.p, '--out', path.join(c.file, 'sub')],
    code: 2,
    message: /flag --out: .*\/sub cannot be created: .* is a file, not a directory/
  },
  {
    name: '--out on a read-only file system',
    args: (c) => ['build', c.p, '--out', c.ro],
    code: 2,
    message: /flag --out: .* is not writable: read-only file system \(EROFS\)/
  },
  {
    name: '--out to be created on a read-only file system',
    args: (c) => ['package', c.p, '--format', 'zipapp', '--out', path.join(c.ro, 'new')],
    code: 2,
    message: /flag --out: .*\/new cannot be created in .*: read-only file system \(EROFS\)/
  },
  {
    name: '--out on a full file system',
    args: (c) => ['build', c.p, '--out', ROOTS.full],
    code: 2,
    message:
      /flag --out: .* is not writable: no space left on device \(its file system is full, ENOSPC\)/
  },
  {
    name: '--out to be created on a file system without free inodes',
    args: (c) => ['verify', c.p, '--out', path.join(ROOTS.noInodes, 'out')],
    code: 2,
    message:
      /flag --out: .*\/out cannot be created in .*: no space left on device \(no free inodes, ENOSPC\)/
  },
  {
    name: '--out/.albatross is a file',
    args: (c) => ['package', c.p, '--out', c.out],
    setup: async (c) => {
      await fs.mkdir(c.out);
      await fs.writeFile(path.join(c.out, '.albatross'), '');
    },
    code: 2,
    message: /flag --out: .*\/out\/\.albatross is a file, not a directory/
  },
  {
    name: 'manifest in --out is a directory',
    args: (c) => ['build', c.p, '--out', c.out],
    setup: async (c) => {
      await fs.mkdir(path.join(c.out, '.albatross', 'manifest.json'), { recursive: true });
    },
    code: 2,
    message: /flag --out: .*\/out\/\.albatross\/manifest\.json is not a file/
  },
  {
    name: '--out with a 300-byte name',
    args: (c) => ['build', c.p, '--out', path.join(c.row, 'n'.repeat(300))],
    code: 2,
    message: /flag --out: .* has a component of 300 bytes .*ENAMETOOLONG/
  },
  {
    name: '--out longer than PATH_MAX',
    args: (c) => ['build', c.p, '--out', path.join(c.row, ...Array(40).fill('d'.repeat(120)))],
    code: 2,
    message: /flag --out: .* is \d+ bytes long, more than the 4095 a path can have/
  },
  {
    name: '--cache-dir is a file',
    args: (c) => ['build', c.p, '--cache-dir', c.file, '--out', c.out],
    code: 2,
    message: /flag --cache-dir: .* is a file, not a directory/
  },
  {
    name: '--cache-dir below a file',
    args: (c) => [
      'package',
      c.p,
      '--format',
      'zipapp',
      '--cache-dir',
      path.join(c.file, 'c'),
      '--out',
      c.out
    ],
    code: 2,
    message: /flag --cache-dir: .* cannot be created: .* is a file/
  },
  {
    name: '--cache-dir read-only',
    args: (c) => ['verify', c.p, '--cache-dir', c.ro, '--out', c.out],
    code: 2,
    message: /flag --cache-dir: .* read-only file system/
  },
  {
    name: '--base docker-archive missing',
    args: (c) => [
      'package',
      c.p,
      '--format',
      'image',
      '--base',
      `docker-archive:${c.row}/missing.tar`,
      '--out',
      c.out
    ],
    code: 2,
    message: /flag --base: .*missing\.tar does not exist/
  },
  {
    name: '--base docker-archive is a directory',
    args: (c) => [
      'package',
      c.p,
      '--format',
      'image',
      '--base',
      `docker-archive:${c.dir}`,
      '--out',
      c.out
    ],
    code: 2,
    message: /flag --base: .* is a directory, not a file/
  },
  {
    name: '--base oci layout missing',
    args: (c) => ['package', c.p, '--base', `oci:${c.row}/layout`, '--out', c.out],
    code: 2,
    message: /flag --base: .*layout does not exist/
  },
  {
    name: '--base oci layout without index.json',
    args: (c) => ['package', c.p, '--format', 'image', '--base', `oci:${c.dir}`, '--out', c.out],
    code: 2,
    message: /flag --base: .* is not an OCI layout/
  },
  {
    name: '--base is a URL',
    args: (c) => [
      'package',
      c.p,
      '--format',
      'image',
      '--base',
      'http://registry/x',
      '--out',
      c.out
    ],
    code: 2,
    message: /base: 'http:\/\/registry\/x' is not a registry reference/
  },
  {
    name: '--base docker-daemon: without a name',
    args: (c) => ['package', c.p, '--format', 'image', '--base', 'docker-daemon:', '--out', c.out],
    code: 2,
    message: /base: 'docker-daemon:' names no image/
  },
  {
    name: '--pex missing',
    args: (c) => [
      'package',
      c.p,
      '--format',
      'pex',
      '--pex',
      path.join(c.row, 'pex'),
      '--out',
      c.out
    ],
    code: 2,
    message: /flag --pex: .*\/pex does not exist/
  },
  {
    name: '--pex not executable',
    args: (c) => ['package', c.p, '--format', 'pex', '--pex', c.file, '--out', c.out],
    code: 2,
    message: /flag --pex: .* cannot be read: permission denied/
  },
  {
    name: 'report --in missing',
    args: (c) => ['report', '--in', path.join(c.row, 'nowhere'), '--out', c.out],
    code: 2,
    message: /flag --in: .*nowhere does not exist/
  },
  {
    name: 'report without an output directory',
    args: (c) => ['report', c.p, '--out', c.out],
    code: 3,
    message: /report: no output directory/
  },
  {
    name: 'corrupt manifest in --out (build)',
    args: (c) => ['build', c.p, '--out', c.out],
    setup: async (c) => {
      await fs.mkdir(c.out);
      await fs.writeFile(path.join(c.out, 'albatross-manifest.json'), '{"artifacts": [');
    },
    code: 2,
    message: /out\/albatross-manifest\.json: not valid JSON/
  },
  {
    name: 'report --in is a file',
    args: (c) => ['report', '--in', c.file, '--out', c.out],
    code: 2,
    message: /flag --in: .* is a file, not a directory/
  },
  {
    name: 'report --base-manifest not JSON',
    args: (c) => ['report', c.p, '--out', c.out, '--base-manifest', c.file],
    setup: async (c) => {
      await fs.mkdir(c.out);
      await fs.writeFile(
        path.join(c.out, 'albatross-manifest.json'),
        JSON.stringify({
          schema: 1,
          tool: { name: 'albatross', version: '0' },
          project: { name: 'badin', version: '1.0.0' },
          artifacts: [],
          failures: [],
          phases: []
        })
      );
    },
    code: 2,
    message: /base-manifest .*a-file: not valid JSON/
  },
  // ---- [tool.albatross] ----
  {
    name: 'pyproject: unknown key',
    args: (c) => ['plan', c.p],
    files: withTool('frobnicate = 1'),
    code: 2,
    message: /pyproject\.toml: \[tool\.albatross\] key 'frobnicate': unknown option/
  },
  {
    name: 'pyproject: misspelled key',
    args: (c) => ['plan', c.p],
    files: withTool('plaforms = ["manylinux-x86_64"]'),
    code: 2,
    message: /key 'plaforms': unknown option 'plaforms' \(did you mean 'platforms'\?\)/
  },
  {
    name: 'pyproject: runtime-only key',
    args: (c) => ['plan', c.p],
    files: withTool('in = ["x"]'),
    code: 2,
    message: /key 'in': 'in' cannot be set here; set it with the flag --in/
  },
  {
    name: 'pyproject: int as a string',
    args: (c) => ['plan', c.p],
    files: withTool('jobs = "4"'),
    code: 2,
    message: /key 'jobs': expected a non-negative integer, got "4"/
  },
  {
    name: 'pyproject: negative int',
    args: (c) => ['plan', c.p],
    files: withTool('jobs = -1'),
    code: 2,
    message: /key 'jobs': expected a non-negative integer/
  },
  {
    name: 'pyproject: float for an int',
    args: (c) => ['plan', c.p],
    files: withTool('source-date-epoch = 1.5'),
    code: 2,
    message: /key 'source-date-epoch': expected a non-negative integer/
  },
  {
    name: 'pyproject: format = ["exe"]',
    args: (c) => ['plan', c.p],
    files: withTool('format = ["exe"]'),
    code: 2,
    message: /key 'format': unknown value 'exe'/
  },
  {
    name: 'pyproject: unknown platform',
    args: (c) => ['plan', c.p],
    files: withTool('platforms = ["solaris-sparc"]'),
    code: 2,
    message: /key 'platforms': unknown value 'solaris-sparc'/
  },
  {
    name: 'pyproject: enum as a number',
    args: (c) => ['plan', c.p],
    files: withTool('mode = 3'),
    code: 2,
    message: /key 'mode': expected one of auto, host, container, got 3/
  },
  {
    name: 'pyproject: manylinux policy',
    args: (c) => ['plan', c.p],
    files: withTool('manylinux = "2_99"'),
    code: 2,
    message: /key 'manylinux': expected one of 2014/
  },
  {
    name: 'pyproject: [tool.albatross] not a table',
    args: (c) => ['plan', c.p],
    files: { 'pyproject.toml': `${PROJECT}\n[tool]\nalbatross = 3\n`, ...SOURCE },
    code: 2,
    message: /pyproject\.toml: \[tool\.albatross\] must be a table/
  },
  {
    name: 'pyproject: test-command quoting',
    args: (c) => ['build', c.p, '--out', c.out],
    files: withTool(`test-command = 'python -c "import badin'`),
    code: 2,
    message: /key 'test-command': unterminated " quote/
  },
  {
    name: 'pyproject: images bucket',
    args: (c) => ['plan', c.p],
    files: withTool('images = { solaris = "x" }'),
    code: 2,
    message: /key 'images': unknown key 'solaris'/
  },
  {
    name: 'pyproject: images value not a string',
    args: (c) => ['plan', c.p],
    files: withTool('images = { manylinux-x86_64 = 3 }'),
    code: 2,
    message: /key 'images': expected a table of strings/
  },
  {
    name: 'pyproject: boolean as a string',
    args: (c) => ['plan', c.p],
    files: withTool('test = "yes"'),
    code: 2,
    message: /key 'test': expected true or false, got "yes"/
  },
  {
    name: 'pyproject: boolean as a number',
    args: (c) => ['plan', c.p],
    files: withTool('sdist = 1'),
    code: 2,
    message: /key 'sdist': expected true or false, got 1/
  },
  {
    name: 'pyproject: list of numbers',
    args: (c) => ['plan', c.p],
    files: withTool('python = [3.11]'),
    code: 2,
    message: /key 'python': expected a list of strings/
  },
  {
    name: 'pyproject: find-links missing (relative to the project)',
    args: (c) => ['build', c.p, '--out', c.out],
    files: withTool('find-links = ["missing-wheels"]'),
    code: 2,
    message: /key 'find-links': .*\/p\/missing-wheels does not exist/
  },
  // ---- broken TOML, with line numbers ----
  {
    name: 'TOML: unterminated array',
    args: (c) => ['detect', c.p],
    files: { 'pyproject.toml': '[project]\nname = "x"\ndependencies = ["requests"\n', ...SOURCE },
    code: 2,
    message: /pyproject\.toml:4:1: invalid TOML/
  },
  {
    name: 'TOML: duplicate key',
    args: (c) => ['plan', c.p],
    files: { 'pyproject.toml': '[project]\nname = "x"\nname = "y"\n' },
    code: 2,
    message: /pyproject\.toml:3:\d+: invalid TOML/
  },
  {
    name: 'TOML: bad escape',
    args: (c) => ['plan', c.p],
    files: { 'pyproject.toml': '[project]\nname = "x"\nversion = "1\\q"\n' },
    code: 2,
    message: /pyproject\.toml:3:\d+: invalid TOML/
  },
  {
    name: 'TOML: unclosed table header',
    args: (c) => ['detect', c.p],
    files: { 'pyproject.toml': '[build-system]\nrequires = []\n[project\nname = "x"\n' },
    code: 2,
    message: /pyproject\.toml:3:\d+: invalid TOML/
  },
  {
    name: 'TOML: missing value',
    args: (c) => ['build', c.p, '--out', c.out],
    files: { 'pyproject.toml': '[project]\nname = "x"\nversion = \n' },
    code: 2,
    message: /pyproject\.toml:3:\d+: invalid TOML/
  },
  {
    name: 'TOML: not UTF-8',
    args: (c) => ['detect', c.p],
    files: {
      'pyproject.toml': Buffer.concat([
        Buffer.from('[project]\nname = "x"\nversion = "1.0'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"\n')
      ])
    },
    code: 2,
    message: /pyproject\.toml:3: not valid UTF-8/
  },
  {
    name: 'TOML: [tool.albatross] broken in a tool table',
    args: (c) => ['plan', c.p],
    files: { 'pyproject.toml': `${PROJECT}\n[tool.albatross]\njobs = = 2\n`, ...SOURCE },
    code: 2,
    message: /pyproject\.toml:14:8: invalid TOML/
  },
  // ---- missing or unreadable files and directories ----
  {
    name: 'project directory missing',
    args: (c) => ['detect', path.join(c.row, 'nothing')],
    code: 2,
    message: /project directory .*nothing does not exist/
  },
  {
    name: 'project directory missing (build)',
    args: (c) => ['build', path.join(c.row, 'nothing'), '--out', c.out],
    code: 2,
    message: /project directory .*nothing does not exist/
  },
  {
    name: 'project directory is a file',
    args: (c) => ['plan', c.file],
    code: 2,
    message: /project directory .* is not a directory/
  },
  {
    name: 'empty project directory',
    args: (c) => ['detect', c.dir],
    code: 2,
    message: /no Python project found/
  },
  {
    name: 'pyproject.toml is a directory',
    args: (c) => ['detect', c.p],
    files: { 'pyproject.toml/x': '' },
    code: 2,
    message: /pyproject\.toml: cannot be read: is a directory \(EISDIR\)/
  },
  {
    name: 'pyproject.toml is a dangling symlink',
    args: (c) => ['detect', c.p],
    files: {},
    setup: async (c) => fs.symlink(path.join(c.row, 'gone.toml'), path.join(c.p, 'pyproject.toml')),
    code: 2,
    message: /pyproject\.toml: cannot be read: does not exist/
  },
  {
    name: 'pyproject.toml without metadata',
    args: (c) => ['detect', c.p],
    files: { 'pyproject.toml': '[tool.black]\nline-length = 100\n' },
    code: 2,
    message: /pyproject\.toml: no project metadata/
  },
  // ---- project metadata ----
  {
    name: 'metadata: no name',
    args: (c) => ['detect', c.p],
    files: withProject('version = "1.0"'),
    code: 2,
    message: /pyproject\.toml: \[project\] name must be a string|name is required/
  },
  {
    name: 'metadata: name with a space',
    args: (c) => ['plan', c.p],
    files: withProject('name = "bad name"\nversion = "1.0"'),
    code: 2,
    message: /pyproject\.toml: project name "bad name" is not a valid name \(PEP 508/
  },
  {
    name: 'metadata: name starting with -',
    args: (c) => ['build', c.p, '--out', c.out],
    files: withProject('name = "-badin"\nversion = "1.0"'),
    code: 2,
    message: /project name "-badin" is not a valid name/
  },
  {
    name: 'metadata: name ending with .',
    args: (c) => ['detect', c.p],
    files: withProject('name = "badin."\nversion = "1.0"'),
    code: 2,
    message: /project name "badin\." is not a valid name/
  },
  {
    name: 'metadata: non-ASCII name',
    args: (c) => ['detect', c.p],
    files: withProject('name = "bädin"\nversion = "1.0"'),
    code: 2,
    message: /project name "bädin" is not a valid name/
  },
  {
    name: 'metadata: empty name',
    args: (c) => ['detect', c.p],
    files: withProject('name = ""\nversion = "1.0"'),
    code: 2,
    message: /name/
  },
  {
    name: 'metadata: name not a string',
    args: (c) => ['detect', c.p],
    files: withProject('name = 3\nversion = "1.0"'),
    code: 2,
    message: /\[project\] name must be a string, got 3/
  },
  {
    name: 'metadata: 240-character name',
    args: (c) => ['build', c.p, '--out', c.out],
    files: withProject(`name = "${'a'.repeat(240)}"\nversion = "1.0.0"`),
    code: 2,
    message:
      /project name is 240 characters long: its wheel file name would be 263 bytes, more than the 255/
  },
  {
    name: 'metadata: version not PEP 440',
    args: (c) => ['build', c.p, '--out', c.out],
    files: withProject('name = "badin"\nversion = "not-a-version"'),
    code: 2,
    message: /version "not-a-version" is not a valid PEP 440 version/
  },
  {
    name: 'metadata: version a number',
    args: (c) => ['detect', c.p],
    files: withProject('name = "badin"\nversion = 1.0'),
    code: 2,
    message: /\[project\] version must be a string, got 1/
  },
  {
    name: 'metadata: requires-python not a specifier',
    args: (c) => ['plan', c.p],
    files: withProject('name = "badin"\nversion = "1.0"\nrequires-python = ">=3.x"'),
    code: 2,
    message: /requires-python: '>=3\.x' is not a valid PEP 440 version specifier/
  },
  {
    name: 'metadata: requires-python allowing no target',
    args: (c) => ['plan', c.p],
    files: withProject('name = "badin"\nversion = "1.0"\nrequires-python = "<3.6"'),
    code: 3,
    message: /requires-python '<3\.6' of badin allows none of the target Pythons/
  },
  {
    name: 'metadata: dependencies a string',
    args: (c) => ['detect', c.p],
    files: withProject('name = "badin"\nversion = "1.0"\ndependencies = "requests"'),
    code: 2,
    message: /\[project\] dependencies must be an array of strings, got "requests"/
  },
  {
    name: 'metadata: scripts not strings',
    args: (c) => ['detect', c.p],
    files: withProject('name = "badin"\nversion = "1.0"\nscripts = { badin = 3 }'),
    code: 2,
    message: /\[project\] scripts must be a table of strings/
  },
  {
    name: 'metadata: dynamic a string',
    args: (c) => ['detect', c.p],
    files: withProject('name = "badin"\ndynamic = "version"'),
    code: 2,
    message: /\[project\] dynamic must be an array of strings/
  },
  {
    name: 'metadata: Poetry name invalid',
    args: (c) => ['detect', c.p],
    files: {
      'pyproject.toml':
        '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n\n[tool.poetry]\nname = "bad_name_"\nversion = "1.0"\n'
    },
    code: 2,
    message: /pyproject\.toml: project name "bad_name_" is not a valid name/
  },
  {
    name: 'build-system: requires a string',
    args: (c) => ['detect', c.p],
    files: withProject(
      'name = "badin"\nversion = "1.0"',
      '[build-system]\nrequires = "setuptools"'
    ),
    code: 2,
    message: /\[build-system\] requires must be an array of strings/
  },
  {
    name: 'build-system: requires holding a number',
    args: (c) => ['detect', c.p],
    files: withProject('name = "badin"\nversion = "1.0"', '[build-system]\nrequires = [3]'),
    code: 2,
    message: /\[build-system\] requires must be an array of strings/
  },
  {
    name: 'build-system: build-backend a number',
    args: (c) => ['detect', c.p],
    files: withProject(
      'name = "badin"\nversion = "1.0"',
      '[build-system]\nrequires = []\nbuild-backend = 3'
    ),
    code: 2,
    message: /\[build-system\] build-backend must be a string/
  }
];

type Snapshot = Record<string, string>;

/** Every path under `dir` with its type, size and mtime: what a row may not change. */
async function snapshot(dir: string): Promise<Snapshot> {
  const out: Snapshot = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = await fs.lstat(p);
      // Directories by presence only (their mtime moves when a probe file comes and goes).
      out[path.relative(dir, p)] = e.isDirectory()
        ? 'd'
        : `${e.isSymbolicLink() ? 'l' : 'f'} ${st.size} ${st.mtimeMs}`;
      if (e.isDirectory() && p !== ROOTS.ro) await walk(p);
    }
  };
  await walk(dir);
  return out;
}

const ROOTS = { work: '', tmp: '', ro: '', full: '', noInodes: '' };

const ownTemps = async (): Promise<string[]> =>
  (await fs.readdir(ROOTS.tmp)).filter((n) => n.startsWith('albatross-'));

function noStackTrace(r: ExecResult): void {
  expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(r.stderr).not.toMatch(/\b[A-Z][a-zA-Z]*Error: /);
  expect(r.stderr).not.toMatch(/^E[A-Z]+: /m);
}

describe('bad input through the CLI: exit code, one line naming the thing, nothing left', () => {
  beforeAll(async () => {
    ROOTS.work = await fs.mkdtemp(path.join(os.tmpdir(), 'bad-input-'));
    ROOTS.tmp = path.join(ROOTS.work, 'tmp');
    ROOTS.ro = path.join(ROOTS.work, 'ro');
    await fs.mkdir(ROOTS.tmp);
    await fs.mkdir(ROOTS.ro);
    // Real read-only and full file systems (as root, permission bits do not stop writes).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ROOTS.ro]);
    ROOTS.full = path.join(ROOTS.work, 'full');
    ROOTS.noInodes = path.join(ROOTS.work, 'no-inodes');
    await fs.mkdir(ROOTS.full);
    await fs.mkdir(ROOTS.noInodes);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', ROOTS.full]);
    await fs.writeFile(path.join(ROOTS.full, 'filler'), Buffer.alloc(4096));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,nr_inodes=1', 'tmpfs', ROOTS.noInodes]);
  });
  afterAll(async () => {
    for (const m of [ROOTS.ro, ROOTS.full, ROOTS.noInodes]) execFileSync('umount', [m]);
    await fs.rm(ROOTS.work, { recursive: true, force: true });
  });

  it('has well over 65 rows', () => {
    expect(ROWS.length).toBeGreaterThan(90);
    expect(new Set(ROWS.map((r) => r.name)).size).toBe(ROWS.length);
  });

  it.each(ROWS.map((r, i) => [r.name, i] as const))('%s', async (_name, i) => {
    const row = ROWS[i];
    const dir = path.join(ROOTS.work, `row${i}`);
    const c: Ctx = {
      row: dir,
      p: path.join(dir, 'p'),
      out: path.join(dir, 'out'),
      file: path.join(dir, 'a-file'),
      dir: path.join(dir, 'empty-dir'),
      ro: ROOTS.ro
    };
    await fs.mkdir(c.p, { recursive: true });
    await fs.mkdir(c.dir);
    await fs.writeFile(c.file, 'not a directory\n');
    const files = row.files ?? { 'pyproject.toml': PROJECT, ...SOURCE };
    for (const [rel, data] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(c.p, rel)), { recursive: true });
      await fs.writeFile(path.join(c.p, rel), data);
    }
    await row.setup?.(c);
    const before = await snapshot(dir);
    const tempsBefore = new Set(await ownTemps());
    const r = await execCapture([...CLI, ...row.args(c)], {
      env: { ...process.env, TMPDIR: ROOTS.tmp },
      timeoutMs: 120_000
    });
    const message = typeof row.message === 'function' ? row.message(c) : row.message;
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect({ code: r.code, last: lines[lines.length - 1] }).toEqual({
      code: row.code,
      last: expect.stringMatching(/^albatross: /)
    });
    expect(lines[lines.length - 1]).toMatch(message);
    expect(lines.filter((l) => l.startsWith('albatross: '))).toHaveLength(1);
    expect(r.stdout).toBe('');
    noStackTrace(r);
    // Nothing written, nothing changed: no --out, no half-written file, no temp dir.
    expect(await snapshot(dir)).toEqual(before);
    const leaked = (await ownTemps()).filter((n) => !tempsBefore.has(n));
    // Removed before asserting, so one row's leak does not fail the next.
    for (const n of leaked) await fs.rm(path.join(ROOTS.tmp, n), { recursive: true, force: true });
    expect(leaked).toEqual([]);
    expect(await fs.readdir(ROOTS.ro)).toEqual([]);
    expect(await fs.readdir(ROOTS.full)).toEqual(['filler']);
    expect(await fs.readdir(ROOTS.noInodes)).toEqual([]);
  });
});
