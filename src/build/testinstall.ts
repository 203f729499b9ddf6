import { TestResult } from '../manifest/model.js';
import { tail } from '../runtime/exec.js';
import { splitArgs } from '../runtime/splitargs.js';
import { Executor, StepError, StepLog, step } from './executor.js';
import { WheelContents } from './wheelinfo.js';

/** Requirements that apply without extras (what `pip install wheel` would pull in). */
export function hardRequirements(requires: string[]): string[] {
  return requires.filter((r) => !/\bextra\s*==/.test(r));
}

const IMPORT_ALL =
  'import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n    print("imported", name)';

export interface TestPlan {
  /** Python inside the test venv (as the executor sees it). */
  venvPython: string;
  /** The venv's bin directory (console scripts). */
  venvBin: string;
  cwd: string;
  testCommand: string;
  contents: WheelContents;
}

/** Human-readable description of what the test runs. */
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
  const failed = (detail: string): TestResult => ({
    status: 'failed',
    command,
    detail: tail(detail, 25),
    seconds: seconds()
  });
  try {
    if (p.testCommand) {
      const argv = splitArgs(p.testCommand).map((a) => a.split('{python}').join(p.venvPython));
      if (!argv.length)
        return { status: 'skipped', command, detail: 'empty test-command', seconds: 0 };
      await step(ex, log, 'test-command', argv, { cwd: p.cwd, env, timeoutMs: 30 * 60_000 });
    } else {
      if (p.contents.topLevel.length) {
        await step(
          ex,
          log,
          'import test',
          [p.venvPython, '-c', IMPORT_ALL, ...p.contents.topLevel],
          { cwd: p.cwd, env, timeoutMs: 10 * 60_000 }
        );
      }
      for (const script of p.contents.consoleScripts) {
        const r = log.add(
          await ex.run([`${p.venvBin}/${script}`, '--help'], {
            cwd: p.cwd,
            env,
            timeoutMs: 120_000
          })
        );
        if (r.code !== 0 && /Traceback \(most recent call last\)/.test(r.output)) {
          return failed(`console script ${script} --help crashed:\n${r.output}`);
        }
      }
    }
    return { status: 'passed', command, seconds: seconds() };
  } catch (e) {
    return failed(e instanceof StepError ? e.log : String(e));
  }
}
