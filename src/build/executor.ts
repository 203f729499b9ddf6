import { ExecResult, execCapture } from '../runtime/exec.js';

/** Runs argv for a build step: on the host, or inside a running container. */
export interface Executor {
  run(
    argv: string[],
    o?: { cwd?: string; env?: Record<string, string>; timeoutMs?: number }
  ): Promise<StepResult>;
}

export type StepResult = ExecResult & { seconds?: number };

/** Host executor: the process setup's env and wrapper (umask, caller's wrapper). */
export function hostExecutor(setup: {
  env: NodeJS.ProcessEnv;
  passEnv?: readonly string[];
  wrap(argv: string[]): string[];
}): Executor {
  return {
    run: async (argv, o = {}) => {
      const t0 = Date.now();
      const r = await execCapture(setup.wrap(argv), {
        cwd: o.cwd,
        env: { ...setup.env, ...(o.env ?? {}) },
        passEnv: setup.passEnv,
        timeoutMs: o.timeoutMs
      });
      return { ...r, seconds: (Date.now() - t0) / 1000 };
    }
  };
}

/** Accumulates the output of a job's steps so failures can show the last lines. */
export class StepLog {
  text = '';
  add(r: StepResult): StepResult {
    const took = r.seconds === undefined ? '' : `  [${r.seconds.toFixed(1)} s, exit ${r.code}]`;
    this.text += `$ ${r.argv.join(' ')}${took}\n${r.output}${r.output.endsWith('\n') || !r.output ? '' : '\n'}`;
    return r;
  }
}

export class StepError extends Error {
  constructor(
    message: string,
    readonly log: string
  ) {
    super(message);
  }
}

/** Runs a step, records it, throws StepError with `what` on a non-zero exit. */
export async function step(
  ex: Executor,
  log: StepLog,
  what: string,
  argv: string[],
  o?: Parameters<Executor['run']>[1]
): Promise<StepResult> {
  const r = log.add(await ex.run(argv, o));
  if (r.code !== 0) throw new StepError(`${what} failed (exit code ${r.code})`, log.text);
  return r;
}
