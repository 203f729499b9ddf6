import { ArtifactEntry, RepairInfo } from '../manifest/model.js';
import { FORMATS } from '../package/formats/index.js';
import { TOOL_VERSION } from '../version.js';
import { Aggregate, JobArtifact, JobReport, aggregate, readJobDir } from './aggregate.js';
import { BaseComparison } from './compare.js';
import { cell, escapeHtml, humanSize, plural, seconds, shortSha, sizeDelta } from './format.js';
import { inspectionFindings, inspectionStatus } from './inspection.js';

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
  out.push(...totalsTable(agg, opts.base), '');
  if (agg.failures.length) out.push(...failuresSection(agg, opts.compact), '');
  if (agg.verdicts.length || agg.totals.reproducible !== null)
    out.push(...reproSection(agg, opts.compact), '');
  out.push(...artifactsSection(agg, opts.base), '');
  const cache = cacheSection(agg);
  if (cache.length) out.push(...cache, '');
  const locks = locksSection(agg);
  if (locks.length) out.push(...locks, '');
  if (!opts.compact) {
    const phases = phasesSection(agg);
    if (phases.length) out.push(...phases, '');
  }
  out.push(`<sub>albatross ${escapeHtml(TOOL_VERSION)}</sub>`, '');
  return out.join('\n');
}

/** The sticky PR comment: the marker, then a compact summary that fits GitHub's limit. */
export function renderComment(agg: Aggregate, base?: BaseComparison): string {
  return fitMarkdown(
    `${COMMENT_MARKER}\n${renderSummary(agg, { base, compact: true })}`,
    COMMENT_LIMIT,
    '_The report was cut to fit a comment; the job summary has all of it._'
  );
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
  if (count(/<pre>/g) > count(/<\/pre>/g)) body += '</pre>';
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
  const t = agg.totals;
  const parts: string[] = [];
  if (t.failures) parts.push(`**❌ ${plural(t.failures, 'failure')}**`);
  else if (t.artifacts === 0) parts.push('**⚠️ no artifacts**');
  else parts.push('**✅ all artifacts built**');
  parts.push(`**${verdictLine(t.reproducible)}**`);
  return parts.join(' · ');
}

function totalsTable(agg: Aggregate, base?: BaseComparison): string[] {
  const t = agg.totals;
  const tests = t.testsPassed + t.testsFailed + t.testsSkipped;
  const testCell = tests
    ? `${t.testsPassed} passed${t.testsFailed ? `, ${t.testsFailed} failed` : ''}${t.testsSkipped ? `, ${t.testsSkipped} skipped` : ''}`
    : '–';
  const cacheCell = t.cacheHits + t.cacheMisses ? `${t.cacheHits} hit, ${t.cacheMisses} miss` : '–';
  const size =
    humanSize(t.bytes) + (base ? ` (${sizeDelta(t.bytes, base.baseBytes)} vs base)` : '');
  return [
    '| Jobs | Artifacts | Total size | Failures | Tests | Cache | Reproducibility | Time |',
    '|---:|---:|---:|---:|---|---|---|---:|',
    `| ${t.jobs} | ${t.artifacts} | ${cell(size)} | ${t.failures} | ${cell(testCell)} | ${cell(cacheCell)} | ${verdictLine(t.reproducible)} | ${cell(seconds(t.seconds))} |`
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
  const out = ['### Reproducibility', '', `**${verdictLine(agg.totals.reproducible)}**`];
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
  if (!compact) {
    for (const d of shown.filter((x) => x.detail).slice(0, 30)) {
      body.push(`<b>${escapeHtml(d.member || '(whole file)')}</b>\n${pre(d.detail, 2000)}`);
    }
  }
  return `<details><summary>${escapeHtml(title)} (${diffs.length})</summary>\n\n${body.join('\n\n')}\n\n</details>`;
}

function artifactsSection(agg: Aggregate, base?: BaseComparison): string[] {
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
    'sha256',
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
      `| ${cell(a.file)} | ${cell(a.kind)} | ${cell(platformOf(a))} | ${cell(a.python ?? a.pythonTag)} | ${cell(humanSize(a.size))} | ${[...delta, `\`${shortSha(a.sha256)}\``, testOf(a), ...(inspected ? [inspectionOf(a)] : [])].join(' | ')} |`
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
  const jobs = agg.jobs.filter((j) => j.manifest?.cache);
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
    for (const p of j.manifest?.phases ?? [])
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

function pre(text: string, limit: number): string {
  const cut = text.length > limit ? '…' + text.slice(text.length - limit) : text;
  return `<pre>${escapeHtml(cut)}</pre>`;
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 200 ? line.slice(0, 199) + '…' : line;
}

/** The job summary of an output directory (its manifest and reproducibility report), or null. */
export async function summarizeOutDir(outDir: string, label?: string): Promise<string | null> {
  const job = await readJobDir(outDir, label ?? 'job');
  return job ? renderJobSummary(job) : null;
}
