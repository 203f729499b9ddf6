import { describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { aggregate, bucketOf, collectReports, JobReport } from '../../src/report/aggregate.js';
import { artifactKey, compareWithBase } from '../../src/report/compare.js';
import { cell, humanSize, sizeDelta } from '../../src/report/format.js';
import {
  COMMENT_LIMIT,
  COMMENT_MARKER,
  fitMarkdown,
  renderComment,
  renderJobSummary,
  renderSummary,
  VERDICT
} from '../../src/report/markdown.js';
import {
  formatTable,
  renderAggregateText,
  renderManifestTable,
  renderReproTable
} from '../../src/report/terminal.js';
import { isBot } from '../../src/report/comment.js';
import { detailBlock } from '../../src/report/diffblock.js';
import { artifactUrl, runLinks } from '../../src/report/links.js';
import {
  nativeJob,
  pureJob,
  testFailureJob,
  verifyReport,
  writeMatrix
} from './report-fixtures.js';

const jobs = (): JobReport[] => [
  { dir: '/a', label: 'sdist-any', manifest: pureJob(), repro: null },
  { dir: '/b', label: 'manylinux-x86_64', manifest: nativeJob(), repro: null },
  { dir: '/c', label: 'verify', manifest: null, repro: verifyReport() }
];

/** The rows of the markdown table whose header starts with `| <head> |`. */
function table(md: string, head: string): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${head} |`));
  expect(start).toBeGreaterThanOrEqual(0);
  expect(lines[start + 1]).toMatch(/^\|(-{3}:?|:?-{3}:?)(\|(-{3}:?|:?-{3}:?))*\|$/);
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim())
    );
  }
  return rows;
}

describe('aggregate', () => {
  it('totals the matrix, puts failures first, dedupes artifacts by file and sha256', () => {
    const twice = [...jobs(), { dir: '/d', label: 'package', manifest: pureJob(), repro: null }];
    const agg = aggregate(twice);
    expect(agg.totals).toMatchObject({
      jobs: 4,
      artifacts: 3,
      bytes: 4100 + 5321 + 81234,
      failures: 1,
      testsPassed: 2,
      cacheHits: 2,
      reproducible: false,
      irreproducible: 1
    });
    expect(agg.ok).toBe(false);
    expect(agg.artifacts.map((a) => a.kind)).toEqual(['sdist', 'wheel', 'wheel']);
    expect(agg.failures[0]).toMatchObject({ job: 'manylinux-x86_64', python: '3.13' });
    expect(agg.verdicts[0].reproducible).toBe(false);
  });

  it('counts a wheel whose test failed (as the build records it) as a failed test', () => {
    const agg = aggregate([{ dir: '/a', label: 'any', manifest: testFailureJob(), repro: null }]);
    expect(agg.totals).toMatchObject({ testsPassed: 1, testsFailed: 1, failures: 1 });
    expect(agg.ok).toBe(false);
    const md = renderSummary(agg);
    expect(table(md, 'Jobs')[0][4]).toBe('1 passed, 1 failed');
    // The same manifest downloaded twice (build and package jobs) lists the failure once.
    const twice = aggregate([
      { dir: '/a', label: 'any', manifest: testFailureJob(), repro: null },
      { dir: '/b', label: 'any', manifest: testFailureJob(), repro: null }
    ]);
    expect(twice.totals).toMatchObject({ testsFailed: 1, failures: 1 });
  });

  it('labels a job by its bucket: the manifest, verify, else the wheels’ one platform', () => {
    const m = nativeJob();
    delete m.job;
    expect(bucketOf(m, null)).toBe('manylinux_2_28_x86_64');
    expect(bucketOf(null, verifyReport())).toBe('any');
    expect(bucketOf({ ...m, artifacts: [] }, null)).toBeNull();
  });

  it('turns a failed test into a failure even when the stage did not record one', () => {
    const m = pureJob();
    m.artifacts[1].test = { status: 'failed', command: 'pytest', detail: 'AssertionError' };
    const agg = aggregate([{ dir: '/a', label: 'a', manifest: m, repro: null }]);
    expect(agg.totals.testsFailed).toBe(1);
    expect(agg.failures).toHaveLength(1);
    expect(agg.failures[0].logTail).toBe('AssertionError');
    expect(agg.ok).toBe(false);
  });

  it('finds manifests and reproducibility reports recursively under --in directories', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'report-agg-'));
    try {
      await writeMatrix(path.join(root, 'nested', 'deeper'));
      const found = await collectReports([root]);
      // Each by its bucket, not by the directory it was downloaded into.
      expect(found.map((j) => j.label)).toEqual(['any', 'manylinux-x86_64', 'sdist-any']);
      expect(found.find((j) => j.repro)?.manifest).toBeNull();
      await fs.writeFile(path.join(root, 'nested', 'albatross-manifest.json'), '{oops');
      await expect(collectReports([root])).rejects.toThrow(
        /nested\/albatross-manifest\.json: not valid JSON/
      );
      await expect(collectReports([path.join(root, 'nope')])).rejects.toThrow(
        /--in .*nope: no such directory/
      );
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});

describe('markdown summary', () => {
  const md = renderSummary(aggregate(jobs()));

  it('leads with status and totals, then failures before artifacts', () => {
    expect(md.startsWith('## Albatross: greeter 1.2.0\n')).toBe(true);
    expect(md).toContain(
      '**❌ 1 failure** · **❌ 1 of 3 artifacts verified reproducible (1 not reproducible, 1 not verified)**'
    );
    const totals = table(md, 'Jobs');
    expect(totals).toEqual([
      ['3', '3', '90.7 kB', '1', '2 passed', '1 hit, 0 miss', VERDICT.irreproducible, '1 min 50 s']
    ]);
    expect(md.indexOf('### ❌ Failures')).toBeLessThan(md.indexOf('### Artifacts'));
    expect(md.indexOf('### Reproducibility')).toBeLessThan(md.indexOf('### Artifacts'));
  });

  it('has an artifacts table with platform, Python, size, short sha256 and test result', () => {
    const rows = table(md, 'File | Kind');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual([
      'greeter-1.2.0.tar.gz',
      'sdist',
      'source',
      '–',
      '4.1 kB',
      '`aaaaaaaaaaaa`',
      '–'
    ]);
    expect(rows[1]).toEqual([
      'greeter-1.2.0-cp312-cp312-manylinux&#95;2&#95;28&#95;x86&#95;64.whl',
      'wheel',
      'manylinux&#95;2&#95;28&#95;x86&#95;64',
      '3.12',
      '81.2 kB',
      '`cccccccccccc`',
      '✅ passed'
    ]);
  });

  it('gives each artifact a verdict and collapses differences with escaped details', () => {
    const rows = table(md, 'File | Verdict');
    expect(rows.length).toBeGreaterThan(0);
    const verdicts = md
      .split('\n')
      .filter((l) => l.includes(VERDICT.reproducible) || l.includes(VERDICT.irreproducible));
    expect(
      verdicts.some((l) =>
        l.startsWith('| greeter-1.2.0-py3-none-any.whl | ❌ not reproducible | 1 | 1 |')
      )
    ).toBe(true);
    expect(
      verdicts.some((l) =>
        l.startsWith('| greeter-1.2.0.tar.gz | ✅ reproducible | 0 | 0 | `aaaaaaaaaaaa` (both)')
      )
    ).toBe(true);
    expect(md).toMatch(
      /<details><summary>Differences in greeter-1\.2\.0-py3-none-any\.whl \(1\)<\/summary>/
    );
  });

  it('HTML-escapes logs and cells and contains no raw markup from the inputs, nor URLs', () => {
    // Diffs are fenced (```diff, so GitHub colours them): their text is literal there.
    const fenced = /^(`{3,})diff\n[\s\S]*?\n\1$/gm;
    expect(md).toMatch(fenced);
    expect(md).toContain(
      '```diff\n--- first\n+++ second\n@@ -1,2 +1,2 @@\n NAME = "greeter"\n-BUILT'
    );
    expect(md).toContain('```\n\ncause: a date near the build clock\n');
    const outside = md.replace(fenced, '');
    expect(outside).not.toContain('<script>');
    expect(outside).not.toContain('<b>01:00');
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(md).toContain('build failed: error: command gcc failed &#124; exit 1');
    expect(md).not.toMatch(/https?:\/\//);
    // Every <details> is closed.
    expect(md.split('<details>').length).toBe(md.split('</details>').length);
  });

  it('says how many artifacts verify found reproducible, or that all were', () => {
    const all = verifyReport();
    all.artifacts = all.artifacts.filter((a) => a.reproducible);
    all.reproducible = true;
    const m = pureJob();
    m.artifacts = m.artifacts.filter((a) => a.kind === 'sdist');
    const one = renderSummary(aggregate([{ dir: '/a', label: 'any', manifest: m, repro: all }]));
    expect(one).toContain('**✅ the artifact verified reproducible**');
    const both = verifyReport();
    both.artifacts[1].reproducible = true;
    both.reproducible = true;
    const two = renderSummary(
      aggregate([{ dir: '/a', label: 'any', manifest: pureJob(), repro: both }])
    );
    expect(two).toContain('**✅ all 2 artifacts verified reproducible**');
    const some = renderSummary(aggregate(jobs()));
    expect(some).toContain(
      '**❌ 1 of 3 artifacts verified reproducible (1 not reproducible, 1 not verified)**'
    );
  });

  it('hides the cache where it resolved nothing, and labels zipapps and PEX by their min Python', () => {
    const m = pureJob();
    m.cache = { ...m.cache!, hit: 'miss', wheelsBuilt: 0, wheelsReused: 0, bytesRestored: 0 };
    m.artifacts.push(
      {
        file: 'greeter-1.2.0.pyz',
        kind: 'zipapp',
        sha256: 'e'.repeat(64),
        size: 9000,
        python: '3.12',
        details: { minPython: '3.10' }
      },
      { file: 'greeter-1.2.0.pex', kind: 'pex', sha256: 'f'.repeat(64), size: 9000, python: '3.12' }
    );
    const md = renderSummary(aggregate([{ dir: '/a', label: 'any', manifest: m, repro: null }]));
    expect(md).not.toContain('### Dependency cache');
    expect(md).toMatch(
      /^\| Jobs \| Artifacts \| Total size \| Failures \| Tests \| Reproducibility \| Time \|$/m
    );
    const rows = table(md, 'File | Kind');
    expect(rows.find((r) => r[0] === 'greeter-1.2.0.pyz')?.[3]).toBe('min 3.10');
    // No requires-python (or a native app): the Python it was built for.
    expect(rows.find((r) => r[0] === 'greeter-1.2.0.pex')?.[3]).toBe('3.12');
  });

  it('shows cache results and time per phase', () => {
    expect(table(md, 'Job | Result')[0]).toEqual([
      'sdist-any',
      '✅ exact',
      '120 kB',
      'no',
      '0 / 3',
      'exact hit'
    ]);
    expect(md).toContain('<details><summary>Time per phase</summary>');
    expect(md).toContain('| manylinux-x86&#95;64 | wheels | 1 min 1 s |');
    expect(md).toContain('| verify | verify | 42.0 s |');
  });

  it('renders one job alone with the verdict unverified', () => {
    const one = renderJobSummary({
      dir: '/a',
      label: 'sdist-any',
      manifest: pureJob(),
      repro: null
    });
    expect(one).toContain('## Albatross: greeter 1.2.0 (sdist-any)');
    expect(one).toContain(`**✅ all artifacts built** · **${VERDICT.unverified}**`);
    expect(one).toContain('### Time per phase');
    expect(one).not.toContain('### ❌ Failures');
  });
});

describe('a report of verify alone', () => {
  it('is titled with the project and shows verdicts without an artifacts table', () => {
    const md = renderJobSummary({ dir: '/v', label: 'any', manifest: null, repro: verifyReport() });
    expect(md.startsWith('## Albatross: greeter 1.2.0 (any)\n')).toBe(true);
    expect(md).toContain('**❌ 1 of 2 artifacts verified reproducible (1 not reproducible)**');
    expect(md).not.toContain('### Artifacts');
    expect(md).not.toContain('no artifacts');
    const comment = renderComment(
      aggregate([{ dir: '/v', label: 'any', manifest: null, repro: verifyReport() }])
    );
    expect(comment.split('\n')[1]).toBe('**Albatross: greeter 1.2.0**');
  });
});

describe('links to the run, the artifact and the commit', () => {
  const env = {
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo/greeter',
    GITHUB_RUN_ID: '123',
    GITHUB_SHA: 'abcdef0123456789'
  };

  it('builds them from the runner environment as actions/upload-artifact does', () => {
    expect(runLinks(env)).toEqual({
      run: 'https://github.com/octo/greeter/actions/runs/123',
      sha: 'abcdef0123456789',
      commit: 'https://github.com/octo/greeter/commit/abcdef0123456789'
    });
    expect(artifactUrl(env, 42)).toBe(
      'https://github.com/octo/greeter/actions/runs/123/artifacts/42'
    );
    expect(runLinks({})).toEqual({});
    expect(artifactUrl({}, 42)).toBeNull();
  });

  it('puts the run link in the job summary', () => {
    const md = renderSummary(aggregate(jobs()), { links: runLinks(env) });
    expect(md).toContain(
      '[Workflow run](https://github.com/octo/greeter/actions/runs/123) · commit [`abcdef0`](https://github.com/octo/greeter/commit/abcdef0123456789)'
    );
  });

  it('matches only a bot’s comment as ours', () => {
    expect(isBot({ login: 'github-actions[bot]', type: 'Bot' })).toBe(true);
    expect(isBot({ login: 'octocat', type: 'User' })).toBe(false);
    expect(isBot(null)).toBe(false);
  });
});

describe('PR comment and base comparison', () => {
  it('matches artifacts across versions and shows the size change', () => {
    expect(artifactKey('greeter-1.1.0-py3-none-any.whl', '1.1.0')).toBe(
      'greeter-{version}-py3-none-any.whl'
    );
    const base = aggregate([
      { dir: '/x', label: 'base', manifest: pureJob('1.1.0', 5000), repro: null }
    ]);
    const now = aggregate(jobs());
    const cmp = compareWithBase(now, base);
    expect(cmp.before.get('greeter-1.2.0-py3-none-any.whl')).toBe(5000);
    const md = renderComment(now, cmp, {
      run: 'https://github.com/octo/greeter/actions/runs/123',
      artifact: 'https://github.com/octo/greeter/actions/runs/123/artifacts/9',
      sha: 'abcdef0123456789',
      commit: 'https://github.com/octo/greeter/commit/abcdef0123456789'
    });
    const lines = md.split('\n');
    expect(lines[0]).toBe(COMMENT_MARKER);
    // One headline with the links, the size table and the verdict; the rest folded.
    expect(lines[1]).toBe(
      '**Albatross: greeter 1.2.0** · ❌ 1 failure · 3 artifacts, 90.7 kB · +81.6 kB (+896.2%) vs base · ' +
        '[Run](https://github.com/octo/greeter/actions/runs/123) · ' +
        '[Artifact](https://github.com/octo/greeter/actions/runs/123/artifacts/9) · ' +
        'commit [`abcdef0`](https://github.com/octo/greeter/commit/abcdef0123456789)'
    );
    expect(table(md, 'File | Size')).toEqual([
      ['greeter-1.2.0.tar.gz', '4.1 kB', '±0 B'],
      ['greeter-1.2.0-cp312-cp312-manylinux&#95;2&#95;28&#95;x86&#95;64.whl', '81.2 kB', 'new'],
      ['greeter-1.2.0-py3-none-any.whl', '5.3 kB', '+321 B (+6.4%)']
    ]);
    const folded = md.indexOf('<details><summary>Full report');
    expect(md.indexOf('**❌ 1 of 3 artifacts verified reproducible')).toBeLessThan(folded);
    expect(md.indexOf('### ❌ Failures')).toBeGreaterThan(folded);
    expect(md.indexOf('```diff')).toBeGreaterThan(folded);
    const rows = table(md, 'File | Kind');
    expect(rows.map((r) => r[5])).toEqual(['±0 B', 'new', '+321 B (+6.4%)']);
    expect(md.split('<details>').length).toBe(md.split('</details>').length);
  });

  it('stays under the comment limit however long the logs', () => {
    const agg = aggregate(jobs());
    for (let i = 0; i < 400; i++) {
      agg.failures.push({
        ...agg.failures[0],
        target: `t${i}`,
        message: 'x'.repeat(300),
        logTail: 'y'.repeat(5000)
      });
    }
    const md = renderComment(agg);
    expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(md).toContain('The report was cut to fit a comment');
    expect(md.startsWith(COMMENT_MARKER)).toBe(true);
  });
});

describe('terminal', () => {
  it('prints a compact aligned table with failures first', () => {
    const text = renderAggregateText(aggregate(jobs()));
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      `greeter 1.2.0: ✗ 1 failure · 3 artifacts · 90.7 kB · 3 jobs · ${VERDICT.irreproducible}`
    );
    expect(text.indexOf('FAILURES')).toBeLessThan(text.indexOf('FILE'));
    const header = lines.find((l) => l.startsWith('FILE'))!;
    const row = lines.find((l) => l.startsWith('greeter-1.2.0.tar.gz'))!;
    expect(row.indexOf('sdist')).toBe(header.indexOf('KIND'));
    expect(text).toContain('REPRODUCIBILITY: ❌ not reproducible (1/2 artifacts)');
    expect(text).toContain(
      'greeter/_build_info.py: content, likely timestamp: BUILT = "2026-11-25 <b>01:00</b>" → BUILT = "2026-11-25 <b>02:00</b>"'
    );
    expect(text).toContain('TIME  sdist-any/sdist 2.5 s');
  });

  it('renders one manifest and one reproducibility report for the stages to print', () => {
    const t = renderManifestTable(pureJob());
    expect(t).toMatch(/^greeter 1\.2\.0: ✓ no failures · 2 artifacts/);
    expect(t).toContain('CACHE\n  sdist-any: exact, restored 120 kB, not saved (exact hit)');
    // verify's table is the same table, with each file's verdict; its rows come from the verdicts.
    const r = renderReproTable(verifyReport());
    expect(r.split('\n')[0]).toBe(`${VERDICT.irreproducible} (1 of 2 artifacts reproducible)`);
    expect(r).toMatch(
      /^greeter-1\.2\.0-py3-none-any\.whl\s+wheel\s+any\s+bbbbbbbbbbbb \/ dddddddddddd\s+NOT reproducible$/m
    );
    expect(r).toMatch(/^FILE\s+KIND\s+PLATFORM\s+SHA256\s+REPRODUCIBLE$/m);
    expect(r).toContain('greeter/__init__.py: mtime, likely timestamp: a vs b');
  });

  it('formats tables and sizes', () => {
    expect(
      formatTable(
        [
          ['A', 'BB'],
          ['ccc', '1']
        ],
        [1]
      )
    ).toBe('A    BB\n───  ──\nccc   1');
    expect(humanSize(999)).toBe('999 B');
    expect(humanSize(1_234_567)).toBe('1.2 MB');
    expect(sizeDelta(900, 1000)).toBe('-100 B (-10.0%)');
    expect(cell('a|b<c>\n*d*')).toBe('a&#124;b&lt;c&gt; &#42;d&#42;');
  });
});

describe('fitMarkdown', () => {
  it('closes a code fence the cut left open', () => {
    const md = `## T\n\n<details><summary>d</summary>\n\n${detailBlock(`--- first\n+++ second\n@@ -1 +1 @@\n${'-a\n+b\n'.repeat(200)}`, 5000)}\n\n</details>\n`;
    const cut = fitMarkdown(md, 600, '_cut_');
    expect(cut).toMatch(/\n```\n\n<\/details>\n\n_cut_\n$/);
  });

  it('cuts at a line, closes what the cut left open and keeps the limit', () => {
    const md = `## T\n\n<details><summary>log</summary>\n\n<pre>${'line\n'.repeat(500)}</pre>\n\n</details>\n`;
    const cut = fitMarkdown(md, 400, '_cut_');
    expect(cut.length).toBeLessThanOrEqual(400);
    expect(cut.endsWith('\n\n_cut_\n')).toBe(true);
    expect(cut).toContain('</pre>\n\n</details>');
    expect(fitMarkdown('short', 400)).toBe('short');
  });
});
