/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML documents are untyped */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { COMMAND_NAMES } from '../../src/commands/index.js';
import { OPTION_DEFS } from '../../src/config/definitions.js';
import { defaultOptions } from '../../src/config/options.js';
import { hostPythons } from '../../src/commands/plan.js';
import { planBuild } from '../../src/plan/index.js';
import { projectModel } from '../helpers/model.js';
import {
  CORE_DIR,
  SETUP_PYTHON,
  SETUP_QEMU,
  actionInputs,
  renderActionFiles
} from '../../src/action/action-yml.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (rel: string): Record<string, any> =>
  parse(readFileSync(path.join(ROOT, rel), 'utf8'));
const action = load('action.yml');
const core = load(`${CORE_DIR}/action.yml`);
const reusable = load('.github/workflows/albatross.yml');
const REUSABLE_REF = 'albatross-build/albatross/.github/workflows/albatross.yml@';
const PERMISSION_LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 };

describe('action.yml (a composite) and core/action.yml (the JavaScript core)', () => {
  it('are what src/action/action-yml.ts generates from OPTION_DEFS', () => {
    for (const [file, text] of renderActionFiles())
      expect({ file, yml: load(file) }).toEqual({ file, yml: parse(text) });
  });

  it('have one input per Action option of OPTION_DEFS, same name and description, empty default', () => {
    const expected = OPTION_DEFS.filter((d) => d.sources.action);
    for (const a of [action, core]) {
      expect(Object.keys(a.inputs)).toEqual([
        'command',
        'project-dir',
        ...expected.map((d) => d.name)
      ]);
      for (const d of expected) {
        const input = a.inputs[d.name];
        expect({ name: d.name, description: input.description }).toEqual({
          name: d.name,
          description: d.description
        });
        expect(input.required).toBe(false);
        // The one exception: the comment token defaults to the workflow's token.
        expect(input.default).toBe(d.name === 'github-token' ? '${{ github.token }}' : '');
      }
    }
  });

  it('the core takes every command and runs the bundled node24 program from its sibling dist/', async () => {
    expect(core.inputs.command.default).toBe('run');
    for (const c of COMMAND_NAMES) expect(core.inputs.command.description).toContain(c);
    expect(core.runs).toEqual({ using: 'node24', main: '../dist/index.js' });
    // The runner resolves `main` against the action's own directory.
    expect(path.resolve(ROOT, CORE_DIR, core.runs.main)).toBe(path.join(ROOT, 'dist/index.js'));
  });

  it('the root sets up Pythons (pinned setup-python, fed by the plan) and QEMU when asked, then runs the core through `$/`', () => {
    expect(action.runs.using).toBe('composite');
    const steps = action.runs.steps as any[];
    expect(steps.map((s) => s.id ?? s.uses)).toEqual([
      'pythons',
      SETUP_PYTHON,
      SETUP_QEMU,
      'albatross'
    ]);
    expect(SETUP_PYTHON).toMatch(/^actions\/setup-python@[0-9a-f]{40}$/);
    expect(SETUP_QEMU).toMatch(/^docker\/setup-qemu-action@[0-9a-f]{40}$/);
    const [pythons, setupPython, qemu, main] = steps;
    for (const s of [pythons, main]) expect(s.uses).toBe(`$/${CORE_DIR}`);
    // The plan step only where something is built; it writes no summary of its own.
    expect(pythons.if).toBe(
      "inputs.command != 'detect' && inputs.command != 'plan' && inputs.command != 'report'"
    );
    expect(pythons.with.command).toBe('plan');
    expect(pythons.with.summary).toBe('false');
    expect(setupPython.if).toBe("steps.pythons.outputs.host-pythons != ''");
    expect(setupPython.with['python-version']).toBe('${{ steps.pythons.outputs.host-pythons }}');
    // A Python the runner cannot get never fails the Action: the core skips it with a notice.
    expect(setupPython['continue-on-error']).toBe(true);
    expect(qemu.if).toBe(
      `inputs.qemu == 'true' || contains(steps.pythons.outputs.matrix, '"qemu":true')`
    );
    // That test reads the plan's own JSON: an emulated job serialises exactly so.
    const opts = defaultOptions({ qemu: true, platforms: ['manylinux-aarch64'] });
    const native = projectModel({ root: '/x', name: 'n', native: true, pythonVersions: ['3.12'] });
    expect(JSON.stringify(planBuild(native, opts).matrix)).toContain('"qemu":true');
    // Every input reaches the core unchanged (the plan step overrides command and summary).
    const names = actionInputs().map((i) => i.name);
    expect(Object.keys(main.with)).toEqual(names);
    expect(Object.keys(pythons.with)).toEqual(names);
    for (const n of names) {
      expect({ n, v: main.with[n] }).toEqual({ n, v: `\${{ inputs.${n} }}` });
      if (n !== 'command' && n !== 'summary')
        expect({ n, v: pythons.with[n] }).toEqual({ n, v: `\${{ inputs.${n} }}` });
    }
    // The core's outputs are the root's, taken from the main step.
    expect(Object.keys(action.outputs)).toEqual(Object.keys(core.outputs));
    for (const [n, o] of Object.entries<any>(action.outputs))
      expect({ n, value: o.value }).toEqual({ n, value: `\${{ steps.albatross.outputs.${n} }}` });
  });

  it('feeds setup-python the Pythons of the host jobs only, in version order', () => {
    const pure = projectModel({ root: '/x', name: 'p', pythonVersions: ['3.9', '3.10', '3.12'] });
    expect(hostPythons(planBuild(pure, defaultOptions()))).toEqual(['3.9', '3.10', '3.12']);
    const native = { ...pure, native: true, nativeReasons: ['setup.py: Extension'] };
    const inContainers = planBuild(native, defaultOptions());
    expect(inContainers.matrix.include.map((j) => j.mode)).toEqual(['container', 'container']);
    expect(hostPythons(inContainers)).toEqual([]);
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
      'host-pythons',
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
      expect({ name, declared: name in core.outputs }).toEqual({ name, declared: true });
    expect(set.has('matrix')).toBe(true); // the scan itself found something
    expect(set.has('host-pythons')).toBe(true);
    for (const [name, o] of Object.entries<any>(core.outputs))
      expect({ name, d: typeof o.description }).toEqual({ name, d: 'string' });
  });
});

describe('reusable workflow', () => {
  const jobs = reusable.jobs as Record<string, any>;
  const CORE = './.albatross/core';

  it('is callable, with inputs for what users change', () => {
    const inputs = reusable.on.workflow_call.inputs;
    expect(Object.keys(inputs)).toEqual([
      'project-dir',
      'python',
      'platforms',
      'format',
      'build',
      'verify',
      'image-name',
      'base',
      'user',
      'cache',
      'index-url',
      'extra-index-url',
      'comment'
    ]);
    expect(inputs.verify.default).toBe(true); // verify is on here, off for the single step
    expect(reusable.permissions).toEqual({});
    expect(reusable.concurrency.group).toMatch(/^albatross-/);
  });

  it('chains plan → build (matrix from fromJSON) → package → verify → report', () => {
    expect(Object.keys(jobs)).toEqual(['plan', 'build', 'package', 'verify', 'report']);
    expect(jobs.build.needs).toBe('plan');
    expect(jobs.build.strategy.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
    expect(jobs.build['runs-on']).toBe('${{ matrix.runs-on }}');
    expect(jobs.package.needs).toEqual(['plan', 'build']);
    expect(jobs.verify.needs).toBe('plan');
    expect(jobs.report.needs).toEqual(['plan', 'build', 'package', 'verify']);
    expect(jobs.report.if).toContain('always()');
  });

  it('runs the Albatross code of the commit it was called at, read from the job context and checked', () => {
    const self = jobs.plan.steps[0];
    expect(self.id).toBe('self');
    expect(self.env).toEqual({ JOB_CONTEXT: '${{ toJSON(job) }}' });
    expect(self.run).toContain('.workflow_repository // empty');
    expect(self.run).toContain('.workflow_sha // empty');
    expect(self.run).toMatch(/\^\[0-9a-f\]\{40\}\$/); // a full SHA, or the job fails
    expect(jobs.plan.outputs['albatross-repository']).toBe('${{ steps.self.outputs.repository }}');
    expect(jobs.plan.outputs['albatross-sha']).toBe('${{ steps.self.outputs.sha }}');
    for (const [id, job] of Object.entries(jobs)) {
      const steps = job.steps as any[];
      const checkout = steps.find((s) => s.with?.path === '.albatross');
      const [repo, ref] =
        id === 'plan'
          ? ['${{ steps.self.outputs.repository }}', '${{ steps.self.outputs.sha }}']
          : [
              '${{ needs.plan.outputs.albatross-repository }}',
              '${{ needs.plan.outputs.albatross-sha }}'
            ];
      expect({ id, repository: checkout.with.repository, ref: checkout.with.ref }).toEqual({
        id,
        repository: repo,
        ref
      });
      expect(steps.filter((s) => s.uses === CORE)).toHaveLength(1);
      expect(steps.indexOf(checkout)).toBeLessThan(steps.findIndex((s) => s.uses === CORE));
    }
    expect(JSON.stringify(reusable)).not.toContain('albatross-ref');
  });

  it('passes the core only inputs that core/action.yml declares, and uploads what the report downloads', () => {
    const uploads: string[] = [];
    for (const [id, job] of Object.entries(jobs)) {
      for (const step of job.steps ?? []) {
        if (step.uses !== CORE) continue;
        for (const k of Object.keys(step.with ?? {}))
          expect({ job: id, input: k, ok: k in core.inputs }).toEqual({
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

  it('verifies what it packages: format, base, user and image-name reach the verify job too', () => {
    const step = (job: string) => jobs[job].steps.find((s: any) => s.uses === CORE);
    const verify = step('verify').with;
    const pkg = step('package').with;
    for (const k of ['format', 'base', 'user', 'image-name'])
      expect({ k, verify: verify[k] }).toEqual({ k, verify: pkg[k] });
    expect(pkg.base).toBe('${{ inputs.base }}');
    expect(pkg.user).toBe('${{ inputs.user }}');
    for (const job of ['build', 'package', 'verify'])
      expect({ job, cache: step(job).with.cache }).toEqual({ job, cache: '${{ inputs.cache }}' });
  });

  it('declares least-privilege permissions on every job: only the report job writes (the PR comment)', () => {
    for (const [id, job] of Object.entries(jobs)) {
      expect({ id, contents: job.permissions.contents }).toEqual({ id, contents: 'read' });
      const writes = Object.entries<string>(job.permissions)
        .filter(([, v]) => v === 'write')
        .map(([k]) => k);
      expect({ id, writes }).toEqual({ id, writes: id === 'report' ? ['pull-requests'] : [] });
    }
  });
});

describe('templates', () => {
  const templates = readdirSync(path.join(ROOT, 'workflows'))
    .filter((n) => n.endsWith('.yml'))
    .sort();
  const TAG_ONLY = "startsWith(github.ref, 'refs/tags/v')";

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
      // A real ref: the default branch (no release tag exists yet; the README says how to pin).
      expect(caller.uses).toBe(`${REUSABLE_REF}main`);
      const call = reusable.on.workflow_call;
      for (const k of Object.keys(caller.with ?? {}))
        expect({ k, declared: k in call.inputs }).toEqual({ k, declared: true });
      expect(caller.secrets).toBeUndefined();
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

  it.each(templates)(
    '%s grants write permissions only to jobs that never run on pull requests',
    (name) => {
      const wf = load(`workflows/${name}`);
      for (const [id, job] of Object.entries<any>(wf.jobs)) {
        const writes = Object.entries<string>(job.permissions ?? {})
          .filter(([k, v]) => v === 'write' && k !== 'pull-requests')
          .map(([k]) => k);
        if (!writes.length) continue;
        // Such a job runs on a version tag or a push to main, never on pull_request.
        expect({ id, writes, if: job.if }).toEqual({
          id,
          writes,
          if: expect.stringMatching(
            /^startsWith\(github\.ref, 'refs\/tags\/v'\)$|^github\.event_name == 'push' && github\.ref == 'refs\/heads\/main'$/
          )
        });
      }
    }
  );

  it('library.yml publishes from the caller: attested dist files, tags only, environment pypi, PEP 740 on', () => {
    const jobs = load('workflows/library.yml').jobs as Record<string, any>;
    expect(Object.keys(jobs)).toEqual(['albatross', 'dist', 'attest', 'publish']);
    // Release builds neither restore nor save the dependency cache.
    expect(jobs.albatross.with.cache).toBe(`\${{ !${TAG_ONLY} }}`);
    const { publish, attest } = jobs;
    expect(publish.needs).toEqual(['dist', 'attest']);
    expect(publish.if).toBe(TAG_ONLY);
    expect(publish.environment.name).toBe('pypi');
    expect(publish.permissions).toEqual({ 'id-token': 'write' });
    const download = publish.steps[0];
    expect(download.uses).toMatch(/^actions\/download-artifact@[0-9a-f]{40}$/);
    expect(download.with).toEqual({ name: 'dist', path: 'dist' });
    const pypi = publish.steps[1];
    expect(pypi.uses).toMatch(/^pypa\/gh-action-pypi-publish@[0-9a-f]{40}$/);
    expect(pypi.with).toEqual({ 'packages-dir': 'dist/', attestations: true });
    // Attest the files shipped: provenance for dist/*, the reproducibility predicate for
    // those the verify job rebuilt (subjects by digest, from the shipped files).
    expect(attest.if).toBe(TAG_ONLY);
    expect(attest.permissions).toEqual({
      contents: 'read',
      'id-token': 'write',
      attestations: 'write'
    });
    const uses = attest.steps.map((s: any) => String(s.uses ?? s.id));
    const provenance = attest.steps.find((s: any) =>
      String(s.uses).startsWith('actions/attest-build-provenance@')
    );
    expect(provenance.with).toEqual({ 'subject-path': 'dist/*' });
    expect(uses.indexOf('repro')).toBeGreaterThan(0);
    const match = attest.steps.find((s: any) => s.id === 'repro');
    expect(match.run).toContain('sha256sum -- *');
    const repro = attest.steps.find((s: any) => String(s.uses).startsWith('actions/attest@'));
    expect(repro.with).toEqual({
      'subject-checksums': 'subjects.sha256',
      'predicate-type': '${{ steps.repro.outputs.predicate-type }}',
      'predicate-path': 'predicate.json'
    });
    const dist = jobs.dist.steps.find((s: any) =>
      String(s.uses).startsWith('actions/upload-artifact@')
    );
    expect(dist.with['include-hidden-files']).toBe(false);
  });

  it('application.yml pushes the built image from main only, checking its digest', () => {
    const jobs = load('workflows/application.yml').jobs as Record<string, any>;
    expect(jobs.albatross.permissions.packages).toBeUndefined();
    expect(jobs['push-image'].permissions).toEqual({ packages: 'write' });
    const push = jobs['push-image'].steps.at(-1);
    expect(push.env.IMAGE).toBe('${{ needs.albatross.outputs.image }}');
    expect(push.env.DIGEST).toBe('${{ needs.albatross.outputs.digest }}');
    expect(push.run).toContain('skopeo copy --digestfile pushed.digest "oci-archive:$archive"');
    expect(reusable.on.workflow_call.outputs.digest.value).toBe(
      '${{ jobs.package.outputs.digest }}'
    );
  });
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
