import { compilerCacheLine } from '../cache/summary.js';
import { ArtifactEntry, RepairInfo } from '../manifest/model.js';
import { FORMATS } from '../package/formats/index.js';
import { TOOL_VERSION } from '../version.js';
import {
  Aggregate,
  JobArtifact,
  JobReport,
  aggregate,
  cacheUsed,
  jobPhases,
  readJobDir
} from './aggregate.js';
import { BaseComparison } from './compare.js';
import { cell, escapeHtml, humanSize, plural, seconds, shortSha, sizeDelta } from './format.js';
import { inspectionFindings, inspectionStatus } from './inspection.js';
import { detailBlock, openFence, pre } from './diffblock.js';
import { RunLinks, linksLine } from './links.js';

/** Hidden marker that identifies our sticky pull-request comment. */
export const COMMENT_MARKER = '<!-- albatross-report -->';
/** GitHub rejects comments over 65536 characters; stay clear of it. */
export const COMMENT_LIMIT = 60000;

export const VERDICT = {
  reproducible: '✅ reproducible',
  irreproducible: '❌ not reproducible',
  unverified: '⚪ reproducibility not verified'
} as const;

export interface SummaryOptions {
  /** Heading; default `Albatross: <project> <version>`. */
  title?: string;
  base?: BaseComparison;
  /** Leave out long sections (logs, differences, phases) to fit a PR comment. */
  compact?: boolean;
  /** The workflow run, commit and artifact to link (none outside GitHub Actions). */
  links?: RunLinks;
}

const LONG_TEXT = 6000;

/** The job summary for one job's output directory. */
export function renderJobSummary(job: JobReport, opts: SummaryOptions = {}): string {
  const agg = aggregate([job]);
  return renderSummary(agg, { title: opts.title ?? `${titleOf(agg)} (${job.label})`, ...opts });
}

/** One summary for many jobs: status and totals, failures first, then the details. */
export function renderSummary(agg: Aggregate, opts: SummaryOptions = {}): string {
  const out: string[] = [];
  out.push(`## ${escapeHtml(opts.title ?? titleOf(agg))}`, '');
  out.push(statusLine(agg), '');
  const links = linksLine(opts.links);
  if (links) out.push(links, '');
  out.push(...totalsTable(agg, opts.base), '');
  out.push(...bodySections(agg, opts));
  out.push(footer(), '');
  return out.join('\n');
}

/** Failures, reproducibility, artifacts, cache, locks and phases: everything under the totals. */
function bodySections(agg: Aggregate, opts: SummaryOptions): string[] {
  const out: string[] = [];
  if (agg.failures.length) out.push(...failuresSection(agg, opts.compact), '');
  if (agg.verdicts.length || agg.totals.reproducible !== null)
    out.push(...reproSection(agg, opts.compact), '');
  // A report of verify alone has verdicts, not artifacts.
  if (agg.jobs.some((j) => j.manifest))
    out.push(...artifactsSection(agg, opts.base, opts.compact), '');
  const cache = cacheSection(agg);
  if (cache.length) out.push(...cache, '');
  const compiled = agg.jobs.filter((j) => j.manifest?.compilerCache);
  for (const j of compiled)
    out.push(
      `**Compiler cache** ${cell(j.label)}: ${cell(compilerCacheLine(j.manifest!.compilerCache!))}`,
      ''
    );
  const locks = locksSection(agg);
  if (locks.length) out.push(...locks, '');
  if (!opts.compact) {
    const phases = phasesSection(agg);
    if (phases.length) out.push(...phases, '');
  }
  return out;
}

function footer(): string {
  return `<sub>albatross ${escapeHtml(TOOL_VERSION)}</sub>`;
}

/**
 * The sticky PR comment, short: the marker, one headline with the links, the size table and
 * the reproducibility verdict; everything else folded. Fits GitHub's limit.
 */
export function renderComment(agg: Aggregate, base?: BaseComparison, links?: RunLinks): string {
  const out = [COMMENT_MARKER, headline(agg, base, links), ''];
  if (agg.artifacts.length) out.push(...sizeTable(agg, base), '');
  if (agg.verdicts.length || agg.totals.reproducible !== null)
    out.push(`**${reproHeadline(agg)}**`, '');
  out.push(
    '<details><summary>Full report: failures, reproducibility, artifacts, cache</summary>',
    '',
    ...bodySections(agg, { base, compact: true }),
    '</details>',
    '',
    footer(),
    ''
  );
  return fitMarkdown(
    out.join('\n'),
    COMMENT_LIMIT,
    '_The report was cut to fit a comment; the job summary has all of it._'
  );
}

/** `**Albatross: greeter 1.2.0** · ❌ 1 failure · 3 artifacts, 90.7 kB · [workflow run](…) …` */
function headline(agg: Aggregate, base?: BaseComparison, links?: RunLinks): string {
  const t = agg.totals;
  const parts = [`**${escapeHtml(titleOf(agg))}**`];
  const status = buildStatus(agg);
  if (status) parts.push(status);
  if (t.artifacts) {
    parts.push(`${plural(t.artifacts, 'artifact')}, ${humanSize(t.bytes)}`);
    if (base) parts.push(`${sizeDelta(t.bytes, base.baseBytes)} vs base`);
  }
  const l = linksLine(links, true);
  if (l) parts.push(l);
  return parts.join(' · ');
}

/** The comment's table: each artifact's size and, against the base run, its change. */
function sizeTable(agg: Aggregate, base?: BaseComparison): string[] {
  const out = base
    ? ['| File | Size | Δ vs base |', '|---|---:|---:|']
    : ['| File | Size |', '|---|---:|'];
  for (const a of agg.artifacts)
    out.push(
      `| ${cell(a.file)} | ${cell(humanSize(a.size))} |${base ? ` ${cell(deltaOf(a, base))} |` : ''}`
    );
  if (base?.gone.length)
    out.push('', `Gone since the base run: ${base.gone.map((f) => cell(f)).join(', ')}`);
  return out;
}

/** GitHub refuses step summaries over 1 MiB. */
export const SUMMARY_LIMIT = 1_000_000;

/** Cuts markdown at a line boundary to at most `limit` characters, ending with `note`. */
export function fitMarkdown(
  md: string,
  limit: number,
  note = "_Cut to fit GitHub's size limit._"
): string {
  if (md.length <= limit) return md;
  const tail = `\n\n${note}\n`;
  // Room for the closing tags the cut may need (a few nested sections at most).
  let body = md.slice(0, Math.max(0, limit - tail.length - 120)).replace(/\n[^\n]*$/, '');
  const count = (re: RegExp): number => (body.match(re) ?? []).length;
  const fence = openFence(body);
  if (fence) body += `\n${fence}`;
  else if (count(/<pre>/g) > count(/<\/pre>/g)) body += '</pre>';
  const open = count(/<details>/g) - count(/<\/details>/g);
  for (let k = 0; k < Math.min(open, 5); k++) body += '\n\n</details>';
  return body + tail;
}

export function verdictLine(reproducible: boolean | null): string {
  if (reproducible === null) return VERDICT.unverified;
  return reproducible ? VERDICT.reproducible : VERDICT.irreproducible;
}

function titleOf(agg: Aggregate): string {
  const p = agg.project;
  return `Albatross: ${p.name || 'report'}${p.version ? ' ' + p.version : ''}`;
}

function statusLine(agg: Aggregate): string {
  return [buildStatus(agg), reproHeadline(agg)]
    .filter((x): x is string => x !== null)
    .map((x) => `**${x}**`)
    .join(' · ');
}

/** Failures, or whether every artifact was built; null for a report of verify alone. */
function buildStatus(agg: Aggregate): string | null {
  const t = agg.totals;
  if (t.failures) return `❌ ${plural(t.failures, 'failure')}`;
  if (!agg.jobs.some((j) => j.manifest)) return null;
  if (t.artifacts === 0) return '⚠️ no artifacts';
  return '✅ all artifacts built';
}

/**
 * What verify showed, counted: `✅ all 3 artifacts verified reproducible`, or, when only some
 * were, `❌ 1 of 3 artifacts verified reproducible (1 not reproducible, 1 not verified)`.
 */
export function reproHeadline(agg: Aggregate): string {
  const t = agg.totals;
  if (!agg.verdicts.length) return verdictLine(t.reproducible);
  const compared = new Set(agg.verdicts.map((v) => v.file)).size;
  const bad = compared - t.reproducibleArtifacts;
  const unverified = t.knownArtifacts - compared;
  if (!bad && !unverified)
    return `✅ ${t.knownArtifacts === 1 ? 'the artifact' : `all ${t.knownArtifacts} artifacts`} verified reproducible`;
  const why = [bad ? `${bad} not reproducible` : '', unverified ? `${unverified} not verified` : '']
    .filter(Boolean)
    .join(', ');
  return `${bad ? '❌' : '✅'} ${t.reproducibleArtifacts} of ${plural(t.knownArtifacts, 'artifact')} verified reproducible (${why})`;
}

function totalsTable(agg: Aggregate, base?: BaseComparison): string[] {
  const t = agg.totals;
  const tests = t.testsPassed + t.testsFailed + t.testsSkipped;
  const testCell = tests
    ? [
        `${t.testsPassed} passed`,
        t.testsFailed ? `${t.testsFailed} failed` : '',
        t.testsSkipped ? `${t.testsSkipped} skipped` : ''
      ]
        .filter(Boolean)
        .join(', ')
    : '–';
  const size =
    humanSize(t.bytes) + (base ? ` (${sizeDelta(t.bytes, base.baseBytes)} vs base)` : '');
  // No column for a cache that resolved nothing (a project without dependencies).
  const cache = t.cacheHits + t.cacheMisses ? [`${t.cacheHits} hit, ${t.cacheMisses} miss`] : [];
  // A report of verify alone built nothing it ships: no artifact, size or test columns.
  const built = agg.jobs.some((j) => j.manifest);
  const cols: [string, string, string][] = [
    ['Jobs', '---:', String(t.jobs)],
    ...(built
      ? ([
          ['Artifacts', '---:', String(t.artifacts)],
          ['Total size', '---:', cell(size)]
        ] as [string, string, string][])
      : []),
    ['Failures', '---:', String(t.failures)],
    ...(built ? ([['Tests', '---', cell(testCell)]] as [string, string, string][]) : []),
    ...cache.map((c): [string, string, string] => ['Cache', '---', cell(c)]),
    ['Reproducibility', '---', verdictLine(t.reproducible)],
    ['Time', '---:', cell(seconds(t.seconds))]
  ];
  return [
    `| ${cols.map((c) => c[0]).join(' | ')} |`,
    `|${cols.map((c) => c[1]).join('|')}|`,
    `| ${cols.map((c) => c[2]).join(' | ')} |`
  ];
}

function failuresSection(agg: Aggregate, compact = false): string[] {
  const out = [
    '### ❌ Failures',
    '',
    '| Job | Target | Kind | Python | Message |',
    '|---|---|---|---|---|'
  ];
  for (const f of agg.failures) {
    out.push(
      `| ${cell(f.job)} | ${cell(f.target)} | ${cell(f.kind)} | ${cell(f.python)} | ${cell(firstLine(f.message))} |`
    );
  }
  for (const f of agg.failures) {
    const text = [f.message, f.logTail].filter(Boolean).join('\n\n');
    if (!f.logTail && !f.message.includes('\n')) continue;
    out.push('', details(`Log of ${f.target} (${f.job})`, text, compact ? 1500 : LONG_TEXT));
  }
  return out;
}

function reproSection(agg: Aggregate, compact = false): string[] {
  const out = ['### Reproducibility', '', `**${reproHeadline(agg)}**`];
  if (!agg.verdicts.length) return out;
  out.push(
    '',
    '| File | Verdict | Differences | Sensitivities | sha256 (1st / 2nd build) |',
    '|---|---|---:|---:|---|'
  );
  for (const v of agg.verdicts) {
    const [a, b] = v.sha256 ?? [null, null];
    const shas = a === b ? `\`${shortSha(a)}\` (both)` : `\`${shortSha(a)}\` / \`${shortSha(b)}\``;
    out.push(
      `| ${cell(v.file)} | ${verdictLine(v.reproducible)} | ${(v.differences ?? []).length} | ${(v.sensitivities ?? []).length} | ${shas} |`
    );
  }
  for (const v of agg.verdicts) {
    const diffs = v.differences ?? [];
    const sens = v.sensitivities ?? [];
    if (diffs.length) out.push('', diffDetails(`Differences in ${v.file}`, diffs, compact));
    if (sens.length && !compact)
      out.push('', diffDetails(`Sensitivities of ${v.file} (pins released)`, sens, compact));
  }
  return out;
}

function diffDetails(
  title: string,
  diffs: { member: string; kind: string; cause: string; detail: string }[],
  compact: boolean
): string {
  const rows = ['| Member | Kind | Likely cause |', '|---|---|---|'];
  const shown = diffs.slice(0, compact ? 20 : 200);
  for (const d of shown)
    rows.push(`| ${cell(d.member || '(whole file)')} | ${cell(d.kind)} | ${cell(d.cause)} |`);
  if (diffs.length > shown.length) rows.push(`| … ${diffs.length - shown.length} more | | |`);
  const body: string[] = [rows.join('\n')];
  const detailed = shown.filter((x) => x.detail).slice(0, compact ? 5 : 30);
  for (const d of detailed)
    body.push(
      // cell(): `__init__` would otherwise turn bold.
      `<b>${cell(d.member || '(whole file)')}</b>`,
      detailBlock(d.detail, compact ? 1500 : 2000)
    );
  return `<details><summary>${escapeHtml(title)} (${diffs.length})</summary>\n\n${body.join('\n\n')}\n\n</details>`;
}

/** `compact` (the comment's narrower column): without the sha256, which the job summary has. */
function artifactsSection(agg: Aggregate, base?: BaseComparison, compact = false): string[] {
  const out = ['### Artifacts', ''];
  if (!agg.artifacts.length) return [...out, '_No artifacts._'];
  const inspected = agg.artifacts.some((a) => a.inspection);
  const head = [
    'File',
    'Kind',
    'Platform',
    'Python',
    'Size',
    ...(base ? ['Δ vs base'] : []),
    ...(compact ? [] : ['sha256']),
    'Test',
    ...(inspected ? ['Inspection'] : [])
  ];
  out.push(
    `| ${head.join(' | ')} |`,
    `|${head.map((h) => (h === 'Size' || h === 'Δ vs base' ? '---:' : '---')).join('|')}|`
  );
  for (const a of agg.artifacts) {
    const delta = base ? [cell(deltaOf(a, base))] : [];
    out.push(
      `| ${cell(a.file)} | ${cell(a.kind)} | ${cell(platformOf(a))} | ${cell(pythonOf(a))} | ${cell(humanSize(a.size))} | ${[...delta, ...(compact ? [] : [`\`${shortSha(a.sha256)}\``]), testOf(a), ...(inspected ? [inspectionOf(a)] : [])].join(' | ')} |`
    );
  }
  const note = unrepairedNote(agg.artifacts);
  if (note) out.push('', `⚠️ ${note}`);
  const repaired = agg.artifacts.filter((a) => a.repair);
  if (repaired.length)
    out.push(
      '',
      '🔧 Repaired by auditwheel:',
      ...repaired.map((a) => `- ${cell(a.file)}: ${cell(repairLine(a.repair!))}`)
    );
  const findings = inspectionFindings(agg.artifacts);
  if (findings.length) {
    out.push('', '| File | Tool | Code | Level | Finding |', '|---|---|---|---|---|');
    for (const f of findings)
      out.push(
        `| ${cell(f.file)} | ${cell(f.tool)} | ${cell(f.code)} | ${f.level === 'error' ? '❌' : '⚠️'} ${f.level} | ${cell(f.message)} |`
      );
  }
  if (base?.gone.length)
    out.push('', `Gone since the base run: ${base.gone.map((f) => cell(f)).join(', ')}`);
  return out;
}

/** Wheels auditwheel did not repair keep a `linux_*` tag, which PyPI refuses: say so. */
export function unrepairedNote(artifacts: { repaired?: boolean }[]): string | null {
  const n = artifacts.filter((a) => a.repaired === false).length;
  return n
    ? `${plural(n, 'wheel')} not repaired by auditwheel: a \`linux_*\` tag, which PyPI refuses.`
    : null;
}

/** What auditwheel decided: `auditwheel 6.8.2 → manylinux_2_5_x86_64 (asked …), grafted libx-1234abcd.so`. */
export function repairLine(r: RepairInfo): string {
  const asked = r.requested && r.requested !== r.policy ? ` (asked ${r.requested})` : '';
  const libs = r.grafted.length
    ? `grafted ${r.grafted.map((g) => g.slice(g.indexOf('/') + 1)).join(', ')}`
    : 'nothing to graft';
  return `${r.tool} → ${r.policy}${asked}, ${libs}`;
}

function deltaOf(a: JobArtifact, base: BaseComparison): string {
  const before = base.before.get(a.file);
  return before === undefined ? 'new' : sizeDelta(a.size, before);
}

export function platformOf(a: {
  kind: string;
  platformTag?: string;
  digest?: string;
  repaired?: boolean;
  details?: Record<string, unknown>;
}): string {
  if (a.platformTag)
    return a.repaired === false ? `${a.platformTag} (not repaired)` : a.platformTag;
  if (a.kind === 'sdist') return 'source';
  return FORMATS.find((f) => f.kind === a.kind)?.platform?.(a as ArtifactEntry) ?? 'any';
}

/** The Python column: a format's own say (zipapp, pex: `min 3.10`), else the build's. */
export function pythonOf(a: ArtifactEntry): string | undefined {
  return FORMATS.find((f) => f.kind === a.kind)?.python?.(a) ?? a.python ?? a.pythonTag;
}

function inspectionOf(a: JobArtifact): string {
  const status = inspectionStatus(a);
  if (status === null) return '–';
  return `${status === 'clean' ? '✅' : status.includes('error') ? '❌' : '⚠️'} ${status}`;
}

function testOf(a: JobArtifact): string {
  switch (a.test?.status) {
    case 'passed':
      return '✅ passed';
    case 'failed':
      return '❌ failed';
    case 'skipped':
      return `⏭️ skipped${a.test.detail ? ': ' + cell(firstLine(a.test.detail)) : ''}`;
    default:
      return '–';
  }
}

function cacheSection(agg: Aggregate): string[] {
  // A job whose cache resolved nothing (no dependencies) has nothing to say here.
  const jobs = agg.jobs.filter((j) => cacheUsed(j.manifest?.cache));
  if (!jobs.length) return [];
  const out = [
    '### Dependency cache',
    '',
    '| Job | Result | Restored | Saved | Wheels built / reused | Note |',
    '|---|---|---:|---:|---|---|'
  ];
  for (const j of jobs) {
    const c = j.manifest!.cache!;
    const icon = c.hit === 'exact' || c.hit === 'partial' ? '✅' : c.hit === 'error' ? '⚠️' : '➖';
    const note = [c.saveSkipped, ...(c.warnings ?? [])].filter(Boolean).join('; ');
    out.push(
      `| ${cell(j.label)} | ${icon} ${cell(c.hit)} | ${cell(humanSize(c.bytesRestored))} | ${c.saved ? cell(humanSize(c.bytesSaved)) : 'no'} | ${c.wheelsBuilt} / ${c.wheelsReused} | ${cell(note)} |`
    );
  }
  return out;
}

/** `--locked`: which PEP 751 locks each job installed from, by digest. */
function locksSection(agg: Aggregate): string[] {
  const rows: string[] = [];
  for (const j of agg.jobs) {
    for (const l of j.manifest?.locks ?? [])
      rows.push(`| ${cell(j.label)} | ${cell(l.file)} | \`${cell(l.sha256)}\` |`);
  }
  return rows.length ? ['### Locks', '', '| Job | Lock | sha256 |', '|---|---|---|', ...rows] : [];
}

function phasesSection(agg: Aggregate): string[] {
  const rows = ['| Job | Phase | Time |', '|---|---|---:|'];
  for (const j of agg.jobs) {
    for (const p of jobPhases(j))
      rows.push(`| ${cell(j.label)} | ${cell(p.name)} | ${cell(seconds(p.seconds))} |`);
  }
  if (rows.length === 2) return [];
  if (agg.jobs.length === 1) return ['### Time per phase', '', ...rows];
  return [`<details><summary>Time per phase</summary>\n\n${rows.join('\n')}\n\n</details>`];
}

/** A collapsible block with preformatted, HTML-escaped text, cut to its last `limit` chars. */
export function details(summary: string, text: string, limit = LONG_TEXT): string {
  return `<details><summary>${escapeHtml(summary)}</summary>\n\n${pre(text, limit)}\n\n</details>`;
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 200 ? line.slice(0, 199) + '…' : line;
}

/** The job summary of an output directory (its manifest and reproducibility report), or null. */
export async function summarizeOutDir(outDir: string, links?: RunLinks): Promise<string | null> {
  const job = await readJobDir(outDir, 'job');
  return job ? renderJobSummary(job, { links }) : null;
}
