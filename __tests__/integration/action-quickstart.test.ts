import { afterAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execCapture } from '../../src/runtime/exec.js';

/**
 * The README's single-step quickstart, the way the runner runs the JavaScript core (a node
 * process with INPUT_* variables): no `python` input, default options. The project allows
 * 3.13 and 3.14; this machine has 3.13 and not 3.14 (pyenv), as a runner may lack one of the
 * default target Pythons. The Action skips it with a notice and builds the rest; it does not
 * verify unless asked; it tries to upload the output directory as `albatross`.
 */
const ENTRY = path.resolve('src/action/index.ts');
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-quickstart-'));
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

describe('action: the quickstart as pasted', () => {
  it('builds what the runner has, notices the missing default Python, verifies nothing', async () => {
    const project = path.join(tmp, 'project');
    await fs.cp(path.resolve('fixtures/build-pure'), project, { recursive: true });
    const toml = path.join(project, 'pyproject.toml');
    await fs.writeFile(
      toml,
      (await fs.readFile(toml, 'utf8')).replace(
        'requires-python = ">=3.9"',
        'requires-python = ">=3.13"'
      )
    );
    const output = path.join(tmp, 'output');
    const summary = path.join(tmp, 'summary.md');
    await fs.writeFile(output, '');
    await fs.writeFile(summary, '');
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env))
      if (!/^(ACTIONS_|GITHUB_|RUNNER_|INPUT_|NODE_OPTIONS$)/.test(k)) env[k] = v;
    Object.assign(env, {
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      'INPUT_PROJECT-DIR': project,
      INPUT_MODE: 'host', // what `auto` gives a pure project
      INPUT_TEST: 'false'
    });
    // The whole runner environment, INPUT_* included, as the runner starts an action.
    const r = await execCapture([process.execPath, '--import', 'tsx', ENTRY], {
      fullEnv: env,
      timeoutMs: 300_000
    });
    expect({ code: r.code, log: r.code ? r.output : '' }).toEqual({ code: 0, log: '' });
    expect(r.stdout).toContain(
      '::notice::skipping Python 3.14 (not installed here; pass python or missing-python = error to require them)'
    );
    const dist = await fs.readdir(path.join(project, 'dist'));
    expect(dist).toEqual(
      expect.arrayContaining([
        'albatross_pure-1.0.0.tar.gz',
        'albatross_pure-1.0.0-py3-none-any.whl'
      ])
    );
    // verify is off for the single-step Action: no reproducibility report, no verdict.
    expect(dist).not.toContain('reproducibility.json');
    expect(r.stdout).toContain('::group::build');
    expect(r.stdout).not.toContain('::group::verify');
    const outputs = await fs.readFile(output, 'utf8');
    expect(outputs).toMatch(/^reproducible<<(\S+)\n\n?\1$/m); // empty: not verified
    // The upload is on by default; here there is no artifact service to take it.
    expect(r.stdout).toContain(
      '::warning::artifact-name albatross: not uploaded (no artifact service: ACTIONS_RUNTIME_TOKEN is not set)'
    );
  });
});
