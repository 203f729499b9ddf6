import { TestResult } from '../manifest/model.js';
import { tail } from '../runtime/exec.js';
import { splitArgs } from '../runtime/splitargs.js';
import { Executor, StepLog, StepResult } from './executor.js';
import { WheelContents } from './wheelinfo.js';

/** Requirements that apply without extras (what `pip install wheel` would pull in). */
export function hardRequirements(requires: string[]): string[] {
  return requires.filter((r) => !/\bextra\s*==/.test(r));
}

const IMPORT_ALL =
  'import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n    print("imported", name)';

export interface TestPlan {
  /** Python inside the test venv (as the executor sees it): `{python}` in test-command. */
  venvPython: string;
  /** The unpacked sdist the wheel was built from (as the executor sees it): `{project}`. */
  project: string;
  /** The venv's bin directory (console scripts). */
  venvBin: string;
  cwd: string;
  testCommand: string;
  contents: WheelContents;
}

/** test-command's argv with `{python}` and `{project}` replaced (empty: nothing to run). */
export function expandTestCommand(
  command: string,
  values: Pick<TestPlan, 'venvPython' | 'project'>
): string[] {
  return splitArgs(command).map((a) =>
    a.split('{python}').join(values.venvPython).split('{project}').join(values.project)
  );
}

/** argv as a shell would read it back: what a reader can paste to rerun the command. */
export function shellLine(argv: string[]): string {
  const quote = (a: string): string => {
    if (/^[\w@%+=:,./-]+$/.test(a)) return a;
    // `"print('x')"` reads better than `'print('\''x'\'')'`, where nothing expands inside.
    if (a.includes("'") && !/["$`\\!]/.test(a)) return `"${a}"`;
    return `'${a.replace(/'/g, `'\\''`)}'`;
  };
  return argv.map(quote).join(' ');
}

/** Human-readable description of what the test runs (as configured: no temporary paths). */
export function describeTest(p: Pick<TestPlan, 'testCommand' | 'contents'>): string {
  if (p.testCommand) return p.testCommand;
  const parts = p.contents.topLevel.map((n) => `import ${n}`);
  for (const s of p.contents.consoleScripts) parts.push(`${s} --help`);
  return parts.join('; ') || '(nothing to import)';
}

/**
 * Runs the test command in an installed venv. Default: import every top-level name, then each
 * console script with `--help`; a script fails the test only when it crashes with a traceback
 * (many scripts exit non-zero on `--help` by design).
 */
export async function runWheelTest(ex: Executor, p: TestPlan, log: StepLog): Promise<TestResult> {
  const t0 = Date.now();
  const command = describeTest(p);
  const env = {
    PATH: `${p.venvBin}:/usr/local/bin:/usr/bin:/bin`,
    VIRTUAL_ENV: p.venvBin.replace(/\/bin$/, '')
  };
  const seconds = (): number => Math.round((Date.now() - t0) / 100) / 10;
  // A failure names the command as it ran and keeps only its own output (not the build's).
  const failed = (ran: string, output: string): TestResult => ({
    status: 'failed',
    command: ran,
    detail: tail(output, 25),
    seconds: seconds()
  });
  const run = async (argv: string[], timeoutMs: number): Promise<StepResult> =>
    log.add(await ex.run(argv, { cwd: p.cwd, env, timeoutMs }));
  const exited = (r: StepResult): string =>
    `${r.output}${r.output.endsWith('\n') || !r.output ? '' : '\n'}(exit code ${r.code})`;
  if (p.testCommand) {
    const argv = expandTestCommand(p.testCommand, p);
    if (!argv.length)
      return { status: 'skipped', command, detail: 'empty test-command', seconds: 0 };
    const r = await run(argv, 30 * 60_000);
    if (r.code !== 0) return failed(shellLine(argv), exited(r));
    return { status: 'passed', command, seconds: seconds() };
  }
  if (p.contents.topLevel.length) {
    const argv = [p.venvPython, '-c', IMPORT_ALL, ...p.contents.topLevel];
    const r = await run(argv, 10 * 60_000);
    const imports = p.contents.topLevel.map((n) => `import ${n}`).join('; ');
    if (r.code !== 0) return failed(`${shellLine([p.venvPython])} -c '${imports}'`, exited(r));
  }
  for (const script of p.contents.consoleScripts) {
    const argv = [`${p.venvBin}/${script}`, '--help'];
    const r = await run(argv, 120_000);
    if (r.code !== 0 && /Traceback \(most recent call last\)/.test(r.output))
      return failed(shellLine(argv), `${script} --help crashed:\n${exited(r)}`);
  }
  return { status: 'passed', command, seconds: seconds() };
}
