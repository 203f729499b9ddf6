import { describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OPTION_DEFS } from '../../src/config/definitions.js';
import { camel, defaultOptions } from '../../src/config/options.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/errors.js';

async function project(pyproject: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-cfg-'));
  await fs.writeFile(path.join(dir, 'pyproject.toml'), pyproject);
  return dir;
}

describe('options', () => {
  it('has a default for every definition, equal to the table', () => {
    const d = defaultOptions() as unknown as Record<string, unknown>;
    for (const def of OPTION_DEFS) {
      expect(d).toHaveProperty(camel(def.name));
      expect(d[camel(def.name)]).toEqual(def.default);
    }
  });

  it('layers defaults, pyproject, then flags (later wins)', async () => {
    const dir = await project('[tool.albatross]\njobs = 3\npython = ["3.11"]\nmode = "host"\n');
    const o = await resolveOptions(dir, [
      { source: 'cli', origin: 'command line', values: { jobs: '5' } }
    ]);
    expect(o.jobs).toBe(5);
    expect(o.python).toEqual(['3.11']);
    expect(o.mode).toBe('host');
    expect(o.sdist).toBe(true);
  });

  it.each([
    [
      'unknown pyproject key',
      '[tool.albatross]\njbos = 1\n',
      /\[tool\.albatross\] key 'jbos': unknown option 'jbos' \(did you mean 'jobs'\?\)/
    ],
    [
      'bad enum',
      '[tool.albatross]\nmode = "cloud"\n',
      /key 'mode': expected one of auto, host, container/
    ],
    ['wrong type', '[tool.albatross]\nsdist = "yes"\n', /key 'sdist': expected true or false/],
    [
      'per-run key in pyproject',
      '[tool.albatross]\nin = ["x"]\n',
      /key 'in': 'in' cannot be set here; set it with the flag --in or the Action input 'in'/
    ],
    [
      'a list item outside the choices',
      '[tool.albatross]\nformat = ["pex", "zip"]\n',
      /key 'format': unknown value 'zip' \(expected one of zipapp, pex, image, venv, deb\)/
    ],
    [
      'a map key outside the choices',
      '[tool.albatross.images]\nmanylinux-x86-64 = "img"\n',
      /key 'images': unknown key 'manylinux-x86-64' \(did you mean 'manylinux-x86_64'\?\)/
    ],
    [
      'a manylinux policy',
      '[tool.albatross]\nmanylinux = "2_99"\n',
      /key 'manylinux': expected one of 2014, 2_28, 2_34/
    ],
    [
      'malformed TOML names file and line',
      '[project]\nname = "x"\nversion = \n',
      /pyproject\.toml:3:\d+: invalid TOML/
    ]
  ])('%s is a configuration error', async (_case, text, re) => {
    const dir = await project(text);
    const err = await resolveOptions(dir, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(re);
  });

  it('takes `out` from [tool.albatross]; a flag still wins', async () => {
    const dir = await project('[tool.albatross]\nout = "wheelhouse"\n');
    expect((await resolveOptions(dir, [])).out).toBe('wheelhouse');
    const o = await resolveOptions(dir, [
      { source: 'cli', origin: 'command line', values: { out: 'x' } }
    ]);
    expect(o.out).toBe('x');
  });

  it('names the flag for a bad CLI value', async () => {
    const dir = await project('[project]\nname="x"\n');
    await expect(
      resolveOptions(dir, [{ source: 'cli', origin: 'command line', values: { jobs: 'many' } }])
    ).rejects.toThrow(/flag --jobs: expected a non-negative integer/);
  });
});
