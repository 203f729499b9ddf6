import { CacheOptions } from '../config/options.js';
import { GithubBackend } from './github.js';
import { LocalBackend } from './local.js';
import { BackendName, CacheBackend } from './store.js';

/** GitHub's cache service when the runner gave us its URL and token, else the local directory. */
export function selectBackend(env: NodeJS.ProcessEnv = process.env): BackendName {
  const url = env.ACTIONS_RESULTS_URL || env.ACTIONS_CACHE_URL;
  return url && env.ACTIONS_RUNTIME_TOKEN ? 'github' : 'local';
}

export function createBackend(
  name: string,
  opts: CacheOptions,
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
