import { describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveBuildTargets } from '../../src/build/targets.js';
import { defaultOptions } from '../../src/config/options.js';
import { actionDefaults } from '../../src/action/inputs.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/errors.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { discoverPythons } from '../../src/runtime/python.js';
import { projectModel } from '../helpers/model.js';

// The real Pythons of this machine (pyenv has 3.6–3.13; 3.14 is not installed): the default
// target set always has one that is missing here.
const installed = (await discoverPythons()).map((p) => p.version);
const model = projectModel({ root: '/nonexistent', name: 'x', pythonVersions: ['3.12', '3.14'] });

describe('missing-python: what a host build does with default targets this machine lacks', () => {
  it('this machine has 3.12 and lacks 3.14 (the premise)', () => {
    expect({ has312: installed.includes('3.12'), has314: installed.includes('3.14') }).toEqual({
      has312: true,
      has314: false
    });
  });

  it('skip (the default, for the CLI and the Action alike): builds what is there, with a notice', async () => {
    const log = { ...memoryLogger(), notes: [] as string[] };
    log.notice = (m: string) => log.notes.push(m);
    const t = await resolveBuildTargets(model, defaultOptions({ mode: 'host' }), log);
    expect(t).toMatchObject({ mode: 'host', pythons: ['3.12'] });
    expect(log.notes).toEqual([
      'skipping Python 3.14 (not installed here; pass python or missing-python = error to require them)'
    ]);
  });

  it('error: keeps every default target, so the build fails naming the missing one', async () => {
    const log = memoryLogger();
    const t = await resolveBuildTargets(
      model,
      defaultOptions({ mode: 'host', missingPython: 'error' }),
      log
    );
    expect(t.pythons).toEqual(['3.12', '3.14']);
    expect(log.lines).toEqual([]);
  });

  it('a version named in `python` is required whatever missing-python says', async () => {
    const t = await resolveBuildTargets(
      model,
      defaultOptions({ mode: 'host', python: ['3.14'] }),
      memoryLogger()
    );
    expect(t.pythons).toEqual(['3.14']);
  });

  it('none of the default targets installed: exit 2 naming them', async () => {
    const none = projectModel({ root: '/nonexistent', name: 'x', pythonVersions: ['3.14'] });
    const err = await resolveBuildTargets(none, defaultOptions({ mode: 'host' }), memoryLogger())
      .then(() => null)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'python: none of 3.14 is installed here (searched PATH, pyenv and the runner tool cache)'
    );
  });

  it('is an option of every source, checked like the others', async () => {
    const bad = await resolveOptions('/nonexistent', [
      { source: 'action', origin: 'action inputs', values: { 'missing-python': 'ignore' } }
    ])
      .then(() => null)
      .catch((e: unknown) => e);
    expect((bad as Error).message).toBe(
      `input 'missing-python': expected one of skip, error, got "ignore"`
    );
  });
});

describe('the Action’s own defaults sit beneath [tool.albatross]', () => {
  it('verify is off for the single-step Action unless pyproject or an input turns it on', async () => {
    const base = actionDefaults();
    const none = await resolveOptions('/nonexistent', [], base);
    expect({ verify: none.verify, artifactName: none.artifactName }).toEqual({
      verify: false,
      artifactName: 'albatross'
    });
    const input = await resolveOptions(
      '/nonexistent',
      [{ source: 'action', origin: 'action inputs', values: { verify: 'true' } }],
      base
    );
    expect(input.verify).toBe(true);
    // The CLI has no such layer: `albatross run` verifies by default.
    expect((await resolveOptions('/nonexistent', [])).verify).toBe(true);
  });

  it('a project that asks for verify in pyproject gets it in the Action too', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-targets-'));
    try {
      await fs.writeFile(
        path.join(dir, 'pyproject.toml'),
        '[project]\nname = "x"\nversion = "1"\n\n[tool.albatross]\nverify = true\n'
      );
      expect((await resolveOptions(dir, [], actionDefaults())).verify).toBe(true);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
