/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML documents are untyped */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { COMMAND_NAMES } from '../../src/commands/index.js';
import { OPTION_DEFS } from '../../src/config/definitions.js';
import { renderActionYml } from '../../src/action/action-yml.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (rel: string): Record<string, any> =>
  parse(readFileSync(path.join(ROOT, rel), 'utf8'));
const action = load('action.yml');
const reusable = load('.github/workflows/albatross.yml');
const REUSABLE_REF = 'albatross-build/albatross/.github/workflows/albatross.yml@';
const PERMISSION_LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 };

describe('action.yml', () => {
  it('is what src/action/action-yml.ts generates from OPTION_DEFS', () => {
    expect(action).toEqual(parse(renderActionYml()));
  });

  it('has one input per Action option of OPTION_DEFS, same name and description, empty default', () => {
    const expected = OPTION_DEFS.filter((d) => d.sources.action);
    expect(Object.keys(action.inputs)).toEqual([
      'command',
      'project-dir',
      ...expected.map((d) => d.name)
    ]);
    for (const d of expected) {
      const input = action.inputs[d.name];
      expect({ name: d.name, description: input.description }).toEqual({
        name: d.name,
        description: d.description
      });
      expect(input.required).toBe(false);
      // The one exception: the comment token defaults to the workflow's token.
      expect(input.default).toBe(d.name === 'github-token' ? '${{ github.token }}' : '');
    }
  });

  it('takes every command and runs the bundled node24 program', () => {
    expect(action.inputs.command.default).toBe('run');
    for (const c of COMMAND_NAMES) expect(action.inputs.command.description).toContain(c);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('declares every output the commands and the Action set', () => {
    const set = new Set<string>();
    for (const dir of ['src/commands', 'src/action']) {
      for (const f of readdirSync(path.join(ROOT, dir)).filter((n) => n.endsWith('.ts'))) {
        const text = readFileSync(path.join(ROOT, dir, f), 'utf8');
        for (const m of text.matchAll(/setOutput\('([\w-]+)'/g)) set.add(m[1]);
        for (const block of objectLiteralsAfter(text, /outputs:\s*\{/g)) {
          for (const k of topLevelKeys(block)) set.add(k);
        }
      }
    }
    const brief = [
      'matrix',
      'plan',
      'project',
      'manifest',
      'artifacts',
      'digest',
      'image',
      'reproducible',
      'report',
      'statement',
      'summary'
    ];
    for (const name of [...set, ...brief])
      expect({ name, declared: name in action.outputs }).toEqual({ name, declared: true });
    expect(set.has('matrix')).toBe(true); // the scan itself found something
    for (const [name, o] of Object.entries<any>(action.outputs))
      expect({ name, d: typeof o.description }).toEqual({ name, d: 'string' });
  });
});

describe('reusable workflow', () => {
  const jobs = reusable.jobs as Record<string, any>;

  it('is callable, with inputs for what users change', () => {
    const inputs = reusable.on.workflow_call.inputs;
    for (const k of [
      'project-dir',
      'python',
      'platforms',
      'format',
      'image-name',
      'push',
      'verify',
      'attest',
      'index-url',
      'extra-index-url'
    ]) {
      expect(Object.keys(inputs)).toContain(k);
    }
    expect(reusable.permissions).toEqual({});
    expect(reusable.concurrency.group).toMatch(/^albatross-/);
  });

  it('chains plan → build (matrix from fromJSON) → package → verify → attest → report', () => {
    expect(Object.keys(jobs)).toEqual(['plan', 'build', 'package', 'verify', 'attest', 'report']);
    expect(jobs.build.needs).toBe('plan');
    expect(jobs.build.strategy.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
    expect(jobs.build['runs-on']).toBe('${{ matrix.runs-on }}');
    expect(jobs.package.needs).toEqual(['plan', 'build']);
    expect(jobs.attest.needs).toBe('verify');
    expect(jobs.report.needs).toEqual(['plan', 'build', 'package', 'verify']);
    expect(jobs.report.if).toContain('always()');
    const attest = jobs.attest.steps.find((s: any) => String(s.uses).startsWith('actions/attest@'));
    expect(attest.with['predicate-path']).toBe('predicate.json');
  });

  it('passes the Albatross action only inputs that action.yml declares, and uploads what the report downloads', () => {
    const uploads: string[] = [];
    for (const [id, job] of Object.entries(jobs)) {
      for (const step of job.steps ?? []) {
        if (step.uses !== './.albatross') continue;
        for (const k of Object.keys(step.with ?? {}))
          expect({ job: id, input: k, ok: k in action.inputs }).toEqual({
            job: id,
            input: k,
            ok: true
          });
        if (step.with['artifact-name']) uploads.push(step.with['artifact-name']);
      }
    }
    expect(uploads).toEqual([
      'albatross-build-${{ matrix.id }}',
      'albatross-package',
      'albatross-verify',
      'albatross-report'
    ]);
    const download = jobs.report.steps.find((s: any) =>
      String(s.uses).startsWith('actions/download-artifact@')
    );
    expect(download.with.pattern).toBe('albatross-*');
    expect(jobs.report.steps.at(-1).with.in).toBe(download.with.path);
  });

  it('declares least-privilege permissions per job (package and attest inherit the caller’s)', () => {
    for (const [id, job] of Object.entries(jobs)) {
      if (id === 'package' || id === 'attest') expect(job.permissions).toBeUndefined();
      else expect(job.permissions.contents).toBe('read');
    }
    expect(jobs.report.permissions['pull-requests']).toBe('write');
    expect(Object.values(jobs.build.permissions)).toEqual(['read']);
  });
});

describe('templates', () => {
  const templates = readdirSync(path.join(ROOT, 'workflows'))
    .filter((n) => n.endsWith('.yml'))
    .sort();

  it('are the three starters', () => {
    expect(templates).toEqual(['application.yml', 'library.yml', 'verify-only.yml']);
  });

  it.each(templates)(
    '%s calls the reusable workflow with declared inputs and enough permissions',
    (name) => {
      const wf = load(`workflows/${name}`);
      const callers = Object.values<any>(wf.jobs).filter(
        (j) => typeof j.uses === 'string' && j.uses.startsWith(REUSABLE_REF)
      );
      expect(callers).toHaveLength(1);
      const caller = callers[0];
      const call = reusable.on.workflow_call;
      for (const k of Object.keys(caller.with ?? {}))
        expect({ k, declared: k in call.inputs }).toEqual({ k, declared: true });
      for (const k of Object.keys(caller.secrets ?? {}))
        expect({ k, declared: k in call.secrets }).toEqual({ k, declared: true });
      // GitHub refuses to start a call whose nested jobs request more than the caller grants,
      // before evaluating any `if:`.
      for (const [id, job] of Object.entries<any>(reusable.jobs)) {
        for (const [scope, level] of Object.entries<string>(job.permissions ?? {})) {
          const granted = caller.permissions?.[scope] ?? 'none';
          expect({
            job: id,
            scope,
            ok: PERMISSION_LEVEL[granted] >= PERMISSION_LEVEL[level]
          }).toEqual({ job: id, scope, ok: true });
        }
      }
      expect(wf.permissions).toEqual({});
    }
  );
});

/** The text of each `{ ... }` object literal that starts where `re` matched. */
function objectLiteralsAfter(text: string, re: RegExp): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(re)) {
    let depth = 0;
    const start = m.index! + m[0].length - 1;
    for (let i = start; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) {
        out.push(text.slice(start + 1, i));
        break;
      }
    }
  }
  return out;
}

/** Keys at depth 0 of an object literal body (`name:` or `'name':`). */
function topLevelKeys(body: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let token = '';
  for (const ch of body) {
    if ('{[('.includes(ch)) depth++;
    if ('}])'.includes(ch)) depth--;
    if (depth === 0 && ch === ',') token = '';
    else if (depth === 0 && ch === ':') {
      const k = /^\s*['"]?([\w-]+)['"]?\s*$/.exec(token);
      if (k) keys.push(k[1]);
      token = '\u0000';
    } else if (token !== '\u0000') token += ch;
  }
  return keys;
}
