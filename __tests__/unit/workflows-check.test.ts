import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'scripts/check-workflows.mjs');
const check = (root?: string) =>
  spawnSync(process.execPath, [SCRIPT, ...(root ? [root] : [])], { encoding: 'utf8', cwd: ROOT });
const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;

describe('scripts/check-workflows.mjs', () => {
  it('passes on the repository’s workflows, templates and both action.yml files, zizmor included', () => {
    const r = check();
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(
      /check-workflows: 5 workflows, 2 action\.yml files, \d+ run: scripts, zizmor: OK/
    );
    if (!hasShellcheck) expect(r.stdout).toContain('shellcheck not installed: skipped');
  });

  it('fails on expressions in run:, unpinned actions, unknown inputs, shell bugs, zizmor findings and a bad action.yml', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'check-wf-'));
    try {
      await fs.mkdir(path.join(root, '.github/workflows'), { recursive: true });
      await fs.mkdir(path.join(root, 'workflows'));
      await fs.writeFile(
        path.join(root, '.github/workflows/bad.yml'),
        [
          'on: push',
          'permissions: {}',
          'jobs:',
          '  a:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: echo "${{ github.event.head_commit.message }}"',
          '      - run: |',
          '          echo ok',
          '          cd $FOO',
          '      - uses: actions/checkout@v4',
          '        with:',
          '          bogus: 1',
          ''
        ].join('\n')
      );
      await fs.mkdir(path.join(root, 'scripts/ci'), { recursive: true });
      await fs.writeFile(path.join(root, 'scripts/ci/x.sh'), '#!/bin/sh\necho $1\n');
      const action = await fs.readFile(path.join(ROOT, 'action.yml'), 'utf8');
      await fs.writeFile(
        path.join(root, 'action.yml'),
        action.replace(/^runs:[\s\S]*$/m, 'runs:\n  using: node24\n')
      );
      const r = check(root);
      expect(r.status).toBe(1);
      const out = r.stderr;
      expect(out).toContain(
        '.github/workflows/bad.yml:7: expression `${{ }}` inside a run: script'
      );
      expect(out).toContain(
        '.github/workflows/bad.yml:11: third-party action not pinned by a full commit SHA: actions/checkout@v4'
      );
      expect(out).toMatch(
        /bad\.yml:13: input "bogus" is not defined in action "actions\/checkout@v4".*\[actionlint action\]/
      );
      expect(out).toMatch(/^action\.yml:\d+: .*\[action-validator\]$/m);
      expect(out).toContain('core/action.yml:0: missing');
      // zizmor (offline, default persona) over the same files.
      expect(out).toMatch(/^\.github\/workflows\/bad\.yml:7: template-injection: .*\[zizmor\]$/m);
      expect(out).toMatch(/^\.github\/workflows\/bad\.yml:11: unpinned-uses: .*\[zizmor\]$/m);
      if (hasShellcheck) expect(out).toMatch(/bad\.yml:10: .*\[SC2164\] \[shellcheck\]/);
      if (hasShellcheck)
        expect(out).toMatch(/^scripts\/ci\/x\.sh:2:\d+: .*\[SC2086\] \[shellcheck\]$/m);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
