import { describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { execCapture, ExecResult } from '../../src/runtime/exec.js';
import { writeMatrix } from '../unit/report-fixtures.js';

/** CLI conventions as a user meets them: a subprocess, its exit code, stdout and stderr. */
const FIX = path.resolve('fixtures');
const CLI = ['node', '--import', 'tsx', path.resolve('src/cli/index.ts')];

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<ExecResult> {
  return execCapture([...CLI, ...args], {
    timeoutMs: 120000,
    extraEnv: { NO_COLOR: undefined, FORCE_COLOR: undefined, ...env }
  });
}

describe('albatross CLI conventions (subprocess)', () => {
  it('help and COMMAND --help print the same per-command help, exit 0', async () => {
    const [a, b] = await Promise.all([cli(['help', 'plan']), cli(['plan', '--help'])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/^Usage: albatross plan \[DIR\] \[flags\]$/m);
    expect(a.stdout).toMatch(/^ {2}--platforms <LIST>/m);
    expect(a.stdout).not.toMatch(/--test-command/);
  });

  it.each([
    [['bogus'], /^albatross: unknown command 'bogus'; run 'albatross help'/],
    [['biuld', path.join(FIX, 'detect-pdm')], /unknown command 'biuld' \(did you mean 'build'\?\)/],
    [['build', '--format', 'zip'], /flag --format does not apply to 'albatross build'/],
    [['plan', '--platfroms', 'x'], /unknown flag '--platfroms' \(did you mean '--platforms'\?\)/]
  ])('%j is exit 2 with one line naming it', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('--json: a usage error is a JSON object on stdout, same exit code', async () => {
    const r = await cli(['package', path.join(FIX, 'detect-pdm'), '--format', 'zip', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        message:
          "flag --format: unknown value 'zip' (expected one of zipapp, pex, image, venv, deb)",
        exitCode: 2,
        type: 'ConfigError'
      }
    });
    expect(r.stderr).toContain("albatross: flag --format: unknown value 'zip'");
  });

  it('colours on FORCE_COLOR, never on NO_COLOR or a pipe; the text is the same', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-colour-'));
    const inDir = await writeMatrix(path.join(root, 'in'));
    const report = (env: Record<string, string>): Promise<ExecResult> =>
      cli(['report', '--in', inDir, '--out', root], env);
    const forcedHelp = await cli(['help', 'detect'], { FORCE_COLOR: '1' });
    expect(forcedHelp.stdout).toContain('\x1b[1mUsage:\x1b[22m');
    const [forced, none, piped] = [
      await report({ FORCE_COLOR: '1' }),
      await report({ NO_COLOR: '1' }),
      await report({})
    ];
    expect(piped.code).toBe(1); // the fixtures hold a failure
    expect(piped.stdout).toContain('❌ not reproducible');
    expect(none.stdout + none.stderr).not.toContain('\x1b[');
    expect(piped.stdout + piped.stderr).not.toContain('\x1b[');
    expect(forced.stdout).toContain('\x1b[31mnot reproducible\x1b[39m');
    expect(stripVTControlCharacters(forced.stdout)).toBe(piped.stdout);
  });
});
