import { afterAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { processSetup } from '../../src/build/env.js';
import { hostExecutor } from '../../src/build/executor.js';
import { defaultOptions } from '../../src/config/options.js';
import { applyLayer, resolveOptions } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/errors.js';
import { childEnv, isWithheld, passedEnv } from '../../src/runtime/childenv.js';
import { execCapture } from '../../src/runtime/exec.js';
import { RUNNER_SECRETS } from '../helpers/runner-secrets.js';

const KEPT = {
  RUNNER_TEMP: '/home/runner/work/_temp',
  RUNNER_OS: 'Linux',
  GITHUB_ACTIONS: 'true',
  GITHUB_SHA: 'abc',
  GITHUB_REPOSITORY: 'o/r',
  PATH: '/usr/bin:/bin',
  HOME: '/home/runner',
  PIP_INDEX_URL: 'https://idx/simple',
  DOCKER_HOST: 'unix:///run/docker.sock',
  TOKENIZERS_PARALLELISM: 'false'
};

const made: string[] = [];
afterAll(async () => {
  for (const d of made) await fs.rm(d, { recursive: true, force: true });
});

describe('the child-process environment', () => {
  it.each(Object.keys(RUNNER_SECRETS))('withholds %s', (name) => {
    expect(isWithheld(name)).toBe(true);
  });
  it.each(Object.keys(KEPT))('keeps %s', (name) => {
    expect(isWithheld(name)).toBe(false);
  });

  it('childEnv drops the withheld, keeps the rest, and passes what pass-env names', () => {
    const base = { ...RUNNER_SECRETS, ...KEPT };
    expect(childEnv(base)).toEqual(KEPT);
    expect(childEnv(base, ['GH_TOKEN', 'NOT_SET'])).toEqual({ ...KEPT, GH_TOKEN: 'ghs_cli_token' });
    expect(passedEnv(['GH_TOKEN', 'NOT_SET', 'HOME'], base)).toEqual({
      GH_TOKEN: 'ghs_cli_token',
      HOME: '/home/runner'
    });
  });

  it('execCapture withholds them by default, from process.env and from a given env alike', async () => {
    const dump = ['node', '-e', 'process.stdout.write(JSON.stringify(process.env))'];
    const saved = { ...process.env };
    Object.assign(process.env, RUNNER_SECRETS);
    try {
      const seen = JSON.parse((await execCapture(dump)).stdout) as Record<string, string>;
      expect(Object.keys(seen).filter(isWithheld)).toEqual([]);
      expect(seen.PATH).toBe(process.env.PATH);
      const given = JSON.parse(
        (await execCapture(dump, { env: { ...process.env, X: '1' } })).stdout
      ) as Record<string, string>;
      expect(Object.keys(given).filter(isWithheld)).toEqual([]);
      expect(given.X).toBe('1');
      const passed = JSON.parse(
        (
          await execCapture(dump, {
            passEnv: ['GITHUB_TOKEN'],
            extraEnv: { NPM_TOKEN: 'explicit' }
          })
        ).stdout
      ) as Record<string, string>;
      expect(Object.keys(passed).filter(isWithheld).sort()).toEqual(['GITHUB_TOKEN', 'NPM_TOKEN']);
      expect(passed.NPM_TOKEN).toBe('explicit');
      // A harness playing the runner hands its whole environment over explicitly.
      const full = JSON.parse(
        (await execCapture(dump, { fullEnv: { ...RUNNER_SECRETS, PATH: process.env.PATH } })).stdout
      ) as Record<string, string>;
      expect(Object.keys(full).filter(isWithheld).sort()).toEqual(
        Object.keys(RUNNER_SECRETS).sort()
      );
    } finally {
      for (const k of Object.keys(RUNNER_SECRETS)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('build steps (processSetup + hostExecutor) see none of them unless pass-env names one', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-childenv-'));
    made.push(dir);
    const base = { ...RUNNER_SECRETS, ...KEPT, PATH: process.env.PATH ?? '' };
    const opts = defaultOptions({ passEnv: ['GH_TOKEN'] });
    const setup = processSetup(opts, 1700000000, dir, {}, base);
    expect(Object.keys(setup.env).filter(isWithheld)).toEqual(['GH_TOKEN']);
    const r = await hostExecutor(setup).run(['sh', '-c', 'env']);
    const names = r.stdout.split('\n').map((l) => l.split('=')[0]);
    expect(names.filter(isWithheld)).toEqual(['GH_TOKEN']);
    expect(names).toContain('SOURCE_DATE_EPOCH');
  });

  it('pass-env: names only, from the command line or the action, never from pyproject.toml', async () => {
    const opts = defaultOptions();
    applyLayer(opts, {
      source: 'cli',
      origin: 'command line',
      values: { 'pass-env': 'GH_TOKEN, X_Y' }
    });
    expect(opts.passEnv).toEqual(['GH_TOKEN', 'X_Y']);
    expect(() =>
      applyLayer(defaultOptions(), {
        source: 'action',
        origin: 'inputs',
        values: { 'pass-env': 'ACTIONS_*' }
      })
    ).toThrow(new ConfigError("input 'pass-env': 'ACTIONS_*' is not an environment variable name"));
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-passenv-'));
    made.push(dir);
    await fs.writeFile(
      path.join(dir, 'pyproject.toml'),
      '[tool.albatross]\npass-env = ["ACTIONS_RUNTIME_TOKEN"]\n'
    );
    const err = await resolveOptions(dir, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      /\[tool\.albatross\] key 'pass-env': unknown option 'pass-env'/
    );
  });
});
