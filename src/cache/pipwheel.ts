import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { IndexOptions, PassEnvOptions } from '../config/options.js';
import { exec } from '../runtime/exec.js';
import { pipEnv, pipIndexArgs } from '../runtime/pip.js';
import { normalizeName, parseWheelName } from '../runtime/wheelname.js';

export interface PipWheelResult {
  /** Wheel file names in the wheel dir after the run. */
  wheels: string[];
  /** Normalised project names pip built from sdists/source in this run. */
  built: string[];
  /** Seconds each built project took (from pip's started/finished lines). */
  buildSeconds: Record<string, number>;
  output: string;
}

/** The normalised project name of a wheel file ('' when the name is not a wheel's). */
export function wheelProject(file: string): string {
  return parseWheelName(file)?.name ?? '';
}

/**
 * argv of `pip wheel` for the requirements. `extraFindLinks` (the restored cache) come first so
 * pip sees those wheels; for the same version pip ranks a compatible wheel above an sdist, so
 * it reuses them. No `--prefer-binary`: that would also pick an older wheel over a newer sdist
 * and change what gets resolved.
 */
export function pipWheelArgv(
  python: string,
  wheelDir: string,
  requirements: string[],
  opts: IndexOptions,
  extraFindLinks: string[] = []
): string[] {
  return [
    python,
    '-m',
    'pip',
    'wheel',
    '--wheel-dir',
    wheelDir,
    // pip's own wheel cache would hide builds from us (and differs per machine): ours replaces it.
    '--no-cache-dir',
    '--progress-bar',
    'off',
    ...extraFindLinks.flatMap((d) => ['--find-links', d]),
    ...pipIndexArgs(opts),
    ...requirements
  ];
}

/**
 * Names pip built in a run, from its "Building wheel for X" / "Created wheel for X" lines
 * (stable across pip 20–25, with or without PEP 517).
 */
export function parseBuilt(output: string): string[] {
  const names = new Set<string>();
  for (const m of output.matchAll(/^\s*(?:Created wheel|Building wheel) for ([A-Za-z0-9._-]+)/gm)) {
    names.add(normalizeName(m[1]));
  }
  return [...names].sort();
}

/** Runs `pip wheel` and reports what it built. Throws ExecError (with the log tail) on failure. */
export async function runPipWheel(
  python: string,
  wheelDir: string,
  requirements: string[],
  opts: IndexOptions & PassEnvOptions,
  extraFindLinks: string[] = [],
  env: NodeJS.ProcessEnv = process.env
): Promise<PipWheelResult> {
  await fs.mkdir(wheelDir, { recursive: true });
  const timer = buildTimer();
  const r = await exec(
    pipWheelArgv(python, wheelDir, requirements, opts, extraFindLinks),
    // Dependencies built from sdists run their own build code: `pass-env` applies to them too.
    { env, passEnv: opts.passEnv, extraEnv: pipEnv(opts), onOutput: timer.feed },
    'pip wheel'
  );
  const wheels = (await fs.readdir(wheelDir)).filter((f) => f.endsWith('.whl')).sort();
  return { wheels, built: parseBuilt(r.output), buildSeconds: timer.seconds, output: r.output };
}

/**
 * Times what building each project from source cost, as pip's lines arrive: preparing its
 * isolated build environment and metadata (attributed to the last "Collecting/Processing/
 * Downloading" name) plus its "Building wheel for X: started → finished".
 */
function buildTimer(): { feed: (chunk: string) => void; seconds: Record<string, number> } {
  const started = new Map<string, number>();
  const seconds: Record<string, number> = {};
  const add = (name: string, s: number): void => {
    seconds[name] = Math.round(((seconds[name] ?? 0) + s) * 1000) / 1000;
  };
  let current = '';
  let prepStart = 0;
  let partial = '';
  const feed = (chunk: string): void => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const subject = /^(?:Collecting|Processing|Downloading) (\S+)/.exec(line.trim());
      if (subject) current = normalizeName(path.basename(subject[1]).split(/[-=<>!~[ ;]/)[0]);
      if (/Installing build dependencies: started/.test(line)) prepStart = Date.now();
      if (/Preparing (?:wheel )?metadata .*: finished/.test(line) && prepStart && current) {
        add(current, (Date.now() - prepStart) / 1000);
        prepStart = 0;
      }
      const m = /Building wheel for ([A-Za-z0-9._-]+) .*: (started|finished)/.exec(line);
      if (!m) continue;
      const name = normalizeName(m[1]);
      if (m[2] === 'started') started.set(name, Date.now());
      else if (started.has(name)) add(name, (Date.now() - (started.get(name) ?? 0)) / 1000);
    }
  };
  return { feed, seconds };
}
