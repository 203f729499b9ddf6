import { afterAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execCapture } from '../../src/runtime/exec.js';

/**
 * The Action entry run the way the runner runs it: a node process with INPUT_* variables
 * (@actions/core keeps hyphens: INPUT_PROJECT-DIR) and GITHUB_OUTPUT naming a file that
 * receives `name<<delimiter` blocks.
 */
const FIX = path.resolve('fixtures');
const ENTRY = path.resolve('src/action/index.ts');
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-action-plan-'));
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

/** Parses the GITHUB_OUTPUT file (heredoc blocks, and plain `name=value` lines). */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== heredoc[2]) body.push(lines[i]);
      out[heredoc[1]] = body.join('\n');
    } else if (lines[i].includes('=')) {
      out[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
    }
  }
  return out;
}

async function runAction(
  name: string,
  inputs: Record<string, string>
): Promise<{ code: number; stdout: string; outputs: Record<string, string>; summary: string }> {
  const outFile = path.join(tmp, `${name}.out`);
  await fs.writeFile(outFile, '');
  const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_OUTPUT: outFile };
  for (const k of Object.keys(env)) if (k.startsWith('INPUT_')) delete env[k];
  for (const [k, v] of Object.entries(inputs))
    env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const summaryFile = path.join(tmp, `${name}.summary.md`);
  await fs.writeFile(summaryFile, '');
  env.GITHUB_STEP_SUMMARY = summaryFile;
  // The runner's own environment (INPUT_*, GITHUB_OUTPUT ...), as the runner starts an action.
  const r = await execCapture(['node', '--import', 'tsx', ENTRY], {
    fullEnv: env,
    timeoutMs: 120000
  });
  return {
    code: r.code,
    stdout: r.stdout,
    outputs: parseOutputs(await fs.readFile(outFile, 'utf8')),
    summary: await fs.readFile(summaryFile, 'utf8')
  };
}

describe('action: command plan', () => {
  it('writes the matrix output for a native project', async () => {
    const r = await runAction('native', {
      command: 'plan',
      'project-dir': path.join(FIX, 'detect-skbuild-abi3'),
      platforms: 'manylinux-x86_64\nmanylinux-aarch64'
    });
    expect(r.code).toBe(0);
    const matrix = JSON.parse(r.outputs.matrix) as { include: Record<string, unknown>[] };
    expect(matrix.include.map((j) => [j.id, j['runs-on'], j.platform, j.python, j.sdist])).toEqual([
      ['manylinux-x86_64', 'ubuntu-24.04', 'manylinux_2_28_x86_64', ['3.10'], true],
      ['manylinux-aarch64', 'ubuntu-24.04-arm', 'manylinux_2_28_aarch64', ['3.10'], false]
    ]);
    const plan = JSON.parse(r.outputs.plan) as { project: { name: string; abi3: boolean } };
    expect(plan.project).toMatchObject({ name: 'skmod', abi3: true });
    expect(r.summary).toMatch(/^### Build plan: skmod 1\.0\.0$/m);
    expect(r.summary).toMatch(/^\| `manylinux-aarch64` \| `ubuntu-24\.04-arm` \|/m);
  });

  it('fails the step with a readable annotation when no Python is allowed', async () => {
    const r = await runAction('old', {
      command: 'plan',
      'project-dir': path.join(FIX, 'detect-old-python')
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error::requires-python '<3\.6' of oldpkg allows none of the target Pythons/m
    );
    expect(r.stdout).not.toMatch(/^\s+at /m);
    expect(r.outputs.matrix).toBeUndefined();
  });
});
