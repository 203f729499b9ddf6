import * as net from 'node:net';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CacheBackend } from './store.js';
import { copyFlat } from './files.js';

/**
 * GitHub's cache service through @actions/cache. Its entry version hashes the cached path,
 * so every entry is staged in the same directory (one operation at a time) and copied from
 * there; that lets restore keys fall back across Python tags.
 */
export class GithubBackend implements CacheBackend {
  readonly name = 'github' as const;
  readonly canOverwrite = false;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `env` locates the service; @actions/cache itself reads process.env (the same in Actions).
   * `stage` names the staging directory: each kind of entry (wheels, the compiler cache) has its
   * own, so two kinds never share one at the same time.
   */
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly stage = 'albatross-wheel-cache'
  ) {}

  static stagingDir(env: NodeJS.ProcessEnv = process.env, stage = 'albatross-wheel-cache'): string {
    return path.join(env.RUNNER_TEMP || os.tmpdir(), stage);
  }

  restore(
    into: string,
    key: string,
    restoreKeys: string[]
  ): Promise<{ matchedKey: string } | undefined> {
    return this.serial(async () => {
      await reachable(this.env);
      const stage = await freshStage(this.env, this.stage);
      try {
        const matched = await (await toolkit()).restoreCache([stage], key, restoreKeys);
        if (!matched) return undefined;
        await copyFlat(stage, into);
        return { matchedKey: matched };
      } finally {
        await fs.rm(stage, { recursive: true, force: true });
      }
    });
  }

  save(from: string, key: string): Promise<void> {
    return this.serial(async () => {
      await reachable(this.env);
      const stage = await freshStage(this.env, this.stage);
      try {
        await copyFlat(from, stage);
        const id = await (await toolkit()).saveCache([stage], key);
        if (id === -1)
          throw new Error(`the cache service did not store ${key} (see the message above)`);
      } finally {
        await fs.rm(stage, { recursive: true, force: true });
      }
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Loaded on first use: the toolkit (with the Azure SDK) takes seconds to load, the CLI never needs it. */
function toolkit(): Promise<typeof import('@actions/cache')> {
  return import('@actions/cache');
}

async function freshStage(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const stage = GithubBackend.stagingDir(env, name);
  await fs.rm(stage, { recursive: true, force: true });
  await fs.mkdir(stage, { recursive: true });
  return stage;
}

/**
 * @actions/cache retries an unreachable service for about half a minute and then only logs;
 * a quick connect first turns that into one clear error (the caller warns and builds cold).
 */
async function reachable(env: NodeJS.ProcessEnv, timeoutMs = 5000): Promise<void> {
  const raw = env.ACTIONS_RESULTS_URL || env.ACTIONS_CACHE_URL || '';
  const url = new URL(raw);
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  await new Promise<void>((resolve, reject) => {
    const sock = net.connect({ host: url.hostname, port });
    const fail = (why: string): void => {
      sock.destroy();
      reject(new Error(`cache service ${url.origin} is unreachable (${why})`));
    };
    sock.setTimeout(timeoutMs, () => fail('timeout'));
    sock.once('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    sock.once('connect', () => {
      sock.end();
      resolve();
    });
  });
}
