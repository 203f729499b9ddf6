import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execCapture } from '../../../src/runtime/exec.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..', '..');

export interface DriverRun<T> {
  result: T;
  output: string;
}

/**
 * Runs toolkit-driver.ts steps in one child Node with exactly `env` over a clean base (no Actions or
 * GitHub variables leak in from the outside), and parses its RESULT line.
 */
export async function runDriver<T extends unknown[]>(
  steps: [string, object][],
  env: Record<string, string | undefined>
): Promise<DriverRun<T>> {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(ACTIONS_|GITHUB_|RUNNER_|NODE_OPTIONS$)/.test(k)) base[k] = v;
  }
  const r = await execCapture(
    [
      process.execPath,
      '--import',
      'tsx',
      path.join(HERE, 'toolkit-driver.ts'),
      JSON.stringify(steps)
    ],
    { cwd: REPO, env: base, extraEnv: env, timeoutMs: 300_000 }
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT:'));
  if (r.code !== 0 || !line)
    throw new Error(
      `driver ${steps.map((s) => s[0]).join(',')} failed (${r.code}):\n${r.output.slice(-4000)}`
    );
  return { result: JSON.parse(line.slice('RESULT:'.length)) as T, output: r.output };
}
