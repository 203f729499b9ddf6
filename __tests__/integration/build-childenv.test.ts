import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildProject } from '../../src/build/index.js';
import { buildCommand } from '../../src/commands/build.js';
import { Options } from '../../src/config/options.js';
import { isWithheld } from '../../src/runtime/childenv.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { TEST_MANYLINUX_IMAGE, dockerEnv } from '../helpers/docker.js';
import { testOptions } from '../helpers/env.js';
import { projectModel } from '../helpers/model.js';
import { RUNNER_SECRETS } from '../helpers/runner-secrets.js';
import { buildFixtureSdist } from '../helpers/services/cache-fixture.js';

/**
 * The project's setup.py and its dependency's (which exists only as an sdist, so it is built
 * during the test install) record the environment of every run into a directory. With a
 * runner's secrets in Albatross's own environment, none of them may reach those records.
 */
const APP = path.resolve('fixtures', 'env-record-app');
const DEP = path.resolve('fixtures', 'env-record-dep');
const SECRET_NAMES = Object.keys(RUNNER_SECRETS);
let work: string;
let findLinks: string;
const saved = { ...process.env };

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Every record in `dir`: which build wrote it and the environment it saw. */
async function records(dir: string): Promise<{ who: string; env: Record<string, string> }[]> {
  const out = [];
  for (const f of (await fs.readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    const env = JSON.parse(await fs.readFile(path.join(dir, f), 'utf8')) as Record<string, string>;
    out.push({ who: f.split('-')[0], env });
  }
  return out;
}

function options(over: Partial<Options>): Options {
  const o = testOptions({ cacheDir: path.join(work, `cache-${Math.random()}`), ...over });
  return { ...o, findLinks: [...o.findLinks, findLinks] };
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-childenv-'));
  findLinks = path.join(work, 'find-links');
  await buildFixtureSdist(DEP, 'albatross_envdep', findLinks, work);
  // What a runner gives Albatross's own process; the service URLs point at a closed port so
  // the cache backend (which rightly uses them in-process) fails fast and builds cold.
  const port = await closedPort();
  Object.assign(process.env, RUNNER_SECRETS, {
    ACTIONS_RESULTS_URL: `http://127.0.0.1:${port}/`,
    ACTIONS_CACHE_URL: `http://127.0.0.1:${port}/`,
    ALBATROSS_HARMLESS: 'seen'
  });
  const host = dockerEnv().DOCKER_HOST;
  if (host) process.env.DOCKER_HOST = host;
}, 120_000);

afterAll(async () => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  await fs.rm(work, { recursive: true, force: true });
});

describe('child processes never see the runner secrets', () => {
  it('host build: the project (sdist, wheel, test) and its dependency built from its sdist', async () => {
    const root = path.join(work, 'app-host');
    const recordDir = path.join(work, 'records-host');
    await fs.cp(APP, root, { recursive: true });
    await fs.mkdir(recordDir);
    process.env.ALBATROSS_ENV_RECORD_DIR = recordDir;
    const log = memoryLogger();
    const r = await buildCommand({
      opts: options({ projectDir: root, out: 'dist', python: ['3.12'] }),
      log
    });
    expect(r.exitCode).toBe(0);
    const seen = await records(recordDir);
    expect(new Set(seen.map((s) => s.who))).toEqual(new Set(['envapp', 'envdep']));
    for (const { who, env } of seen) {
      expect([who, Object.keys(env).filter(isWithheld)]).toEqual([who, []]);
      expect([who, SECRET_NAMES.filter((k) => k in env)]).toEqual([who, []]);
      expect(env.ALBATROSS_HARMLESS).toBe('seen');
    }
    // The cache service was tried in-process with the runner's URL (and failed: a warning).
    expect(
      log.lines.some((l) => /cache service http:\/\/127\.0\.0\.1:\d+ is unreachable/.test(l))
    ).toBe(true);
  }, 300_000);

  it('container build: the container gets only pass-env of the host variables, the engine CLI still works', async () => {
    const root = path.join(work, 'app-ct');
    const workRoot = path.join(work, 'work-ct');
    await fs.cp(APP, root, { recursive: true });
    // The work dir is mounted at /albatross: records written there inside land here.
    await fs.mkdir(path.join(workRoot, 'container', 'env-records'), { recursive: true });
    process.env.ALBATROSS_ENV_RECORD_DIR = '/albatross/env-records';
    const r = await buildProject({
      model: projectModel({
        root,
        name: 'albatross-envapp',
        dependencies: ['albatross-envdep==1.0.0']
      }),
      opts: options({ passEnv: ['GH_TOKEN', 'ALBATROSS_ENV_RECORD_DIR'] }),
      log: memoryLogger(),
      outDir: path.join(work, 'out-ct'),
      pythons: ['3.11'],
      mode: 'container',
      image: TEST_MANYLINUX_IMAGE,
      platformTag: 'manylinux_2_28_x86_64',
      env: { workRoot }
    });
    expect(r.manifest.failures).toEqual([]);
    expect(r.ok).toBe(true);
    const seen = await records(path.join(workRoot, 'container', 'env-records'));
    expect(new Set(seen.map((s) => s.who))).toEqual(new Set(['envapp', 'envdep']));
    for (const { who, env } of seen) {
      expect([who, Object.keys(env).filter(isWithheld)]).toEqual([who, ['GH_TOKEN']]);
      expect(env.GH_TOKEN).toBe(RUNNER_SECRETS.GH_TOKEN);
      // Host variables outside pass-env stay on the host.
      expect(env.ALBATROSS_HARMLESS).toBeUndefined();
      expect(env.DOCKER_HOST).toBeUndefined();
    }
  }, 600_000);
});
