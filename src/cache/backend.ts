import { Options } from '../config/options.js';
import { GithubBackend } from './github.js';
import { LocalBackend } from './local.js';

export type BackendName = 'github' | 'local';

/** One interface over the cache stores; entries are flat directories of files. */
export interface CacheBackend {
  readonly name: BackendName;
  /** Whether saving under an existing key replaces it (GitHub entries are immutable). */
  readonly canOverwrite: boolean;
  /**
   * Copies the entry for `key`, else the newest entry whose key starts with one of
   * `restoreKeys` (in order), into `into`. Undefined when nothing matches.
   */
  restore(
    into: string,
    key: string,
    restoreKeys: string[]
  ): Promise<{ matchedKey: string } | undefined>;
  /** Stores the files of `from` under `key`. Throws when the store refuses. */
  save(from: string, key: string): Promise<void>;
}

/** GitHub's cache service when the runner gave us its URL and token, else the local directory. */
export function selectBackend(env: NodeJS.ProcessEnv = process.env): BackendName {
  const url = env.ACTIONS_RESULTS_URL || env.ACTIONS_CACHE_URL;
  return url && env.ACTIONS_RUNTIME_TOKEN ? 'github' : 'local';
}

export function createBackend(
  name: string,
  opts: Pick<Options, 'cacheDir'>,
  env: NodeJS.ProcessEnv = process.env
): CacheBackend {
  switch (name) {
    case 'github':
      return new GithubBackend(env);
    case 'local':
      return new LocalBackend(opts);
    default:
      throw new Error(`unknown cache backend "${name}" (expected github or local)`);
  }
}
