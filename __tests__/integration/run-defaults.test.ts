import { afterAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execCapture } from '../../src/runtime/exec.js';
import { findPython } from '../../src/runtime/python.js';

/**
 * What a new user does first, with nothing configured: the README's fresh-machine commands,
 * which are also what .ci/run runs, with pip's own configuration deciding where packages come
 * from (no index option anywhere) and an empty cache.
 */
const README = path.resolve('README.md');
const CI = path.resolve('.ci/run');
const SRC_CLI = ['node', '--import', 'tsx', path.resolve('src/cli/index.ts')];
const INDEX_FLAGS = /--(index-url|extra-index-url|find-links|no-index)\b/;

/** The shell commands of the README's "Two commands on a fresh machine" section. */
async function freshMachineCommands(): Promise<string[]> {
  const text = await fs.readFile(README, 'utf8');
  const section = /^## Two commands on a fresh machine\n([\s\S]*?)(?=^## )/m.exec(text);
  if (!section) throw new Error('README.md: no "## Two commands on a fresh machine" section');
  return [...section[1].matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1].trim());
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('the defaults work', () => {
  it("the README's two fresh-machine commands are what .ci/run runs", async () => {
    const commands = await freshMachineCommands();
    expect(commands).toHaveLength(2);
    const [main, tests] = commands;
    expect(tests).toBe('bash .ci/run');
    const ci = await fs.readFile(CI, 'utf8');
    // Each step of the first command is a line of .ci/run (which may add its own flags).
    const steps = main.split('&&').map((s) => s.trim());
    expect(steps).toEqual(['npm ci', 'node dist/cli/index.js run examples/greeter']);
    for (const step of steps)
      expect(ci.split('\n').some((line) => line.trim().startsWith(step))).toBe(true);
    expect(ci).not.toMatch(INDEX_FLAGS);
    expect(main).not.toMatch(INDEX_FLAGS);
  });

  it('`albatross run examples/greeter` with no index options and an empty cache: built, tested, packaged, verified', async () => {
    const [main] = await freshMachineCommands();
    const argv = main.split('&&').pop()!.trim().split(/\s+/);
    // `node dist/cli/index.js run examples/greeter`, run from the sources on a copy of the
    // example (its default OUT is inside the project).
    expect(argv.slice(0, 2)).toEqual(['node', 'dist/cli/index.js']);
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-defaults-'));
    dirs.push(work);
    const project = path.join(work, 'greeter');
    await fs.cp(path.resolve(argv[3]), project, { recursive: true });
    const r = await execCapture([...SRC_CLI, argv[2], project], {
      // A new user's machine: nothing cached yet, no PIP_* overrides of ours.
      extraEnv: { XDG_CACHE_HOME: path.join(work, 'cache') },
      timeoutMs: 1_200_000
    });
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.output.slice(-3000) }).toEqual({
      code: 0,
      stderr: ''
    });
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

    const out = path.join(project, 'dist');
    expect((await fs.readdir(out)).sort()).toEqual([
      '.albatross',
      'greeter-1.0.0-py3-none-any.whl',
      'greeter-1.0.0.pyz',
      'greeter-1.0.0.tar.gz'
    ]);
    const manifest = JSON.parse(
      await fs.readFile(path.join(out, '.albatross', 'manifest.json'), 'utf8')
    ) as { artifacts: { file: string; kind: string; test?: { status: string } }[] };
    expect(manifest.artifacts.map((a) => [a.file, a.kind]).sort()).toEqual([
      ['greeter-1.0.0-py3-none-any.whl', 'wheel'],
      ['greeter-1.0.0.pyz', 'zipapp'],
      ['greeter-1.0.0.tar.gz', 'sdist']
    ]);
    // The wheel was installed into a fresh venv and tested, as by default.
    expect(manifest.artifacts.find((a) => a.kind === 'wheel')?.test?.status).toBe('passed');
    const repro = JSON.parse(
      await fs.readFile(path.join(out, '.albatross', 'reproducibility.json'), 'utf8')
    ) as { reproducible: boolean; artifacts: { file: string }[] };
    expect(repro.reproducible).toBe(true);
    expect(repro.artifacts.map((a) => a.file).sort()).toEqual([
      'greeter-1.0.0-py3-none-any.whl',
      'greeter-1.0.0.pyz',
      'greeter-1.0.0.tar.gz'
    ]);
    const py = await findPython('3.12');
    if (!py) throw new Error('CPython 3.12 is needed (pyenv versions)');
    const hello = await execCapture([py.executable, path.join(out, 'greeter-1.0.0.pyz'), 'Ada']);
    expect(hello.stdout.trim()).toBe('Hello, Ada! (greeter 1.0.0)');
  }, 1_300_000);
});
