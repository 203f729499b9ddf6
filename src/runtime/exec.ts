import { spawn } from 'node:child_process';
import { childEnv } from './childenv.js';

/**
 * Process execution: argv arrays only, never a shell string. Output is captured (and can be
 * streamed to a callback) so failures can report the last lines of their log.
 */
export interface ExecOptions {
  cwd?: string;
  /**
   * Environment for the child; defaults to process.env. Either way the runner's secrets are
   * withheld (runtime/childenv.ts) unless `passEnv` names them.
   */
  env?: NodeJS.ProcessEnv;
  /** Withheld variables the child may see all the same (the `pass-env` option). */
  passEnv?: readonly string[];
  /**
   * The child's whole environment exactly as given, secrets included, instead of `env`: only
   * for a harness that plays the runner itself (a test starting the action), never build code.
   */
  fullEnv?: NodeJS.ProcessEnv;
  /** Extra variables merged over `env` (set explicitly, so never withheld). */
  extraEnv?: Record<string, string | undefined>;
  input?: string | Buffer;
  /** Called with each chunk of combined output (for live logs). */
  onOutput?: (chunk: string) => void;
  timeoutMs?: number;
}

export interface ExecResult {
  argv: string[];
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order. */
  output: string;
}

export class ExecError extends Error {
  constructor(
    readonly result: ExecResult,
    what?: string
  ) {
    super(
      `${what ?? result.argv[0]} exited with code ${result.code}` +
        (tail(result.output, 15) ? `:\n${tail(result.output, 15)}` : '')
    );
  }
}

/** Runs argv and resolves with the result whatever the exit code. Rejects only if it cannot start. */
export function execCapture(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const env = opts.fullEnv
      ? { ...opts.fullEnv }
      : childEnv(opts.env ?? process.env, opts.passEnv);
    for (const [k, v] of Object.entries(opts.extraEnv ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const child = spawn(argv[0], argv.slice(1), {
      cwd: opts.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    let output = '';
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
      output += d;
      opts.onOutput?.(d);
    });
    child.stderr.on('data', (d: string) => {
      stderr += d;
      output += d;
      opts.onOutput?.(d);
    });
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ argv, code: code ?? (signal ? 128 : 1), stdout, stderr, output });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** Runs argv and throws ExecError on a non-zero exit. */
export async function exec(
  argv: string[],
  opts: ExecOptions = {},
  what?: string
): Promise<ExecResult> {
  const r = await execCapture(argv, opts);
  if (r.code !== 0) throw new ExecError(r, what);
  return r;
}

/** The last `n` non-empty lines of a log. */
export function tail(text: string, n: number): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-n)
    .join('\n');
}

/** True when `cmd` can be started (found on PATH or an existing path). */
export async function commandExists(cmd: string): Promise<boolean> {
  try {
    const r = await execCapture([cmd, '--version']);
    return r.code === 0 || r.code === 1 || r.code === 2;
  } catch {
    return false;
  }
}
