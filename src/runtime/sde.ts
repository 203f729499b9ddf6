import { Options } from '../config/options.js';
import { execCapture } from './exec.js';

/** 1980-01-01T00:00:00Z: the earliest time a zip archive can hold; the documented fallback. */
export const SDE_FALLBACK = 315532800;

export interface SourceDateEpoch {
  value: number;
  /** Where it came from, for logs and the manifest. */
  source: 'option' | 'environment' | 'git' | 'fallback';
}

/**
 * SOURCE_DATE_EPOCH for a build: the `source-date-epoch` option, else the environment variable,
 * else the time of the project's last git commit, else {@link SDE_FALLBACK}.
 */
export async function resolveSourceDateEpoch(
  opts: Pick<Options, 'sourceDateEpoch'>,
  projectDir: string,
  env: NodeJS.ProcessEnv = process.env
): Promise<SourceDateEpoch> {
  if (opts.sourceDateEpoch !== null && opts.sourceDateEpoch !== undefined) {
    return { value: opts.sourceDateEpoch, source: 'option' };
  }
  const fromEnv = env.SOURCE_DATE_EPOCH?.trim();
  if (fromEnv && /^\d+$/.test(fromEnv))
    return { value: parseInt(fromEnv, 10), source: 'environment' };
  const git = await gitCommitTime(projectDir);
  if (git !== null) return { value: git, source: 'git' };
  return { value: SDE_FALLBACK, source: 'fallback' };
}

async function gitCommitTime(dir: string): Promise<number | null> {
  try {
    const r = await execCapture(['git', '-C', dir, 'log', '-1', '--format=%ct'], {
      timeoutMs: 15000
    });
    const v = r.stdout.trim();
    return r.code === 0 && /^\d+$/.test(v) ? parseInt(v, 10) : null;
  } catch {
    return null;
  }
}

/** Zip timestamps cannot precede 1980-01-01; archives clamp to it. */
export function zipEpoch(sde: number): number {
  return Math.max(sde, SDE_FALLBACK);
}
