import { ArtifactEntry, FailureEntry, Manifest } from '../manifest/model.js';
import { ArtifactVerdict, Difference, Reproducibility } from '../manifest/reproducibility.js';
import { Aggregate, aggregate, jobPhases } from './aggregate.js';
import { BaseComparison } from './compare.js';
import { humanSize, plural, seconds, shortSha, sizeDelta } from './format.js';
import { inspectionFindings, inspectionStatus } from './inspection.js';
import { platformOf, repairLine, unrepairedNote, verdictLine } from './markdown.js';

/**
 * Terminal rendering: compact, aligned, plain-text tables. build, package, verify and report
 * all print their artifacts through one table (`renderArtifactTable`), so they read alike.
 */

/** Aligns rows into columns (the first row is the header, underlined unless `underline` is false). */
export function formatTable(
  rows: string[][],
  rightAligned: number[] = [],
  underline = true
): string {
  if (!rows.length) return '';
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => {
        const pad = widths[i] - [...c].length;
        return rightAligned.includes(i) ? ' '.repeat(pad) + c : c + ' '.repeat(pad);
      })
      .join('  ')
      .trimEnd();
  const rule = underline ? [line(widths.map((w) => '─'.repeat(w)))] : [];
  return [line(rows[0]), ...rule, ...rows.slice(1).map(line)].join('\n');
}

/** What the table knows of one file: its manifest entry, its verdict, or both. */
type Row = Partial<ArtifactEntry> & { file: string; verdict?: ArtifactVerdict };

/**
 * The artifact table every command prints: one row per file (manifest entries, then verdicts
 * of files no entry lists), the notes that belong to them underneath (unrepaired wheels,
 * repairs, inspection findings). A REPRODUCIBLE column when verdicts are given, Δ BASE when a
 * base run is.
 */
export function renderArtifactTable(
  artifacts: readonly ArtifactEntry[],
  o: { verdicts?: readonly ArtifactVerdict[]; base?: BaseComparison } = {}
): string {
  const verdicts = o.verdicts ?? [];
  const rows: Row[] = artifacts.map((a) => ({
    ...a,
    verdict: verdicts.find((v) => v.file === a.file && (!v.sha256[0] || v.sha256[0] === a.sha256))
  }));
  for (const v of verdicts)
    if (!rows.some((r) => r.verdict === v))
      rows.push({ file: v.file, kind: v.kind as ArtifactEntry['kind'], verdict: v });
  if (!rows.length) return '';
  const inspected = rows.some((a) => a.inspection);
  const base = o.base;
  const head = [
    'FILE',
    'KIND',
    'PLATFORM',
    'PY',
    'SIZE',
    ...(base ? ['Δ BASE'] : []),
    'SHA256',
    'TEST',
    ...(inspected ? ['INSPECTION'] : []),
    ...(verdicts.length ? ['REPRODUCIBLE'] : [])
  ];
  const table = [head];
  for (const a of rows) {
    const before = base?.before.get(a.file);
    const known = a.size !== undefined;
    table.push([
      a.file,
      a.kind ?? '-',
      a.kind ? shortPlatform(a, platformOf({ ...a, kind: a.kind })) : '-',
      pythonOf(a),
      known ? humanSize(a.size!) : '-',
      ...(base ? [!known ? '-' : before === undefined ? 'new' : sizeDelta(a.size!, before)] : []),
      shaOf(a),
      a.test?.status ?? '-',
      ...(inspected ? [inspectionStatus(a) ?? '-'] : []),
      ...(verdicts.length ? [verdictCell(a.verdict)] : [])
    ]);
  }
  // A column nothing fills (no sizes or tests known to verify alone) is left out.
  const optional = new Set(['PY', 'SIZE', 'Δ BASE', 'TEST']);
  const keep = head.map((h, i) => !optional.has(h) || table.slice(1).some((r) => r[i] !== '-'));
  const kept = table.map((r) => r.filter((_, i) => keep[i]));
  const right = ['SIZE', 'Δ BASE'].map((h) => kept[0].indexOf(h)).filter((i) => i >= 0);
  const out = [formatTable(kept, right)];
  const note = unrepairedNote([...artifacts]);
  if (note) out.push(`! ${note.replace(/`/g, '')}`);
  out.push(
    ...grouped(
      artifacts.filter((a) => a.repair).map((a) => [a.file, repairLine(a.repair!)]),
      'wheel'
    ).map((l) => `repaired ${l}`)
  );
  for (const a of artifacts)
    if (a.digest) out.push(`${a.file}: ${a.imageName ? a.imageName + ' ' : ''}${a.digest}`);
  out.push(...findingLines(artifacts));
  return out.join('\n');
}

/**
 * A repaired wheel's platform tags (`manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64`)
 * are in its file name: the column shows the one auditwheel chose, and how many more there are.
 */
function shortPlatform(a: Row, full: string): string {
  const tags = (a.platformTag ?? '').split('.');
  if (tags.length < 2) return full;
  const main = a.repair && tags.includes(a.repair.policy) ? a.repair.policy : tags[0];
  return `${main} (+${tags.length - 1})`;
}

/** `file: text` lines, one per text: the same text on several files names how many. */
function grouped(items: [file: string, text: string][], what: string): string[] {
  const byText = new Map<string, string[]>();
  for (const [file, text] of items) byText.set(text, [...(byText.get(text) ?? []), file]);
  return [...byText].map(([text, files]) =>
    files.length === 1 ? `${files[0]}: ${text}` : `${plural(files.length, what)}: ${text}`
  );
}

/** The PY column: a zipapp runs on the Python it was made for and any newer one. */
function pythonOf(a: Row): string {
  if (a.kind === 'zipapp' && a.python) return `≥${a.python}`;
  return a.python ?? a.pythonTag ?? '-';
}

/** The sha256 column: one digest, or both builds' when verify found them different. */
function shaOf(a: Row): string {
  const [x, y] = a.verdict?.sha256 ?? [null, null];
  if (a.verdict && x !== y) return `${shortSha(x)} / ${shortSha(y)}`;
  return shortSha(a.sha256 ?? x);
}

function verdictCell(v: ArtifactVerdict | undefined): string {
  if (!v) return '-';
  return v.reproducible ? 'reproducible' : 'NOT reproducible';
}

/** Inspection findings under the table; the same finding on several files is one line. */
function findingLines(artifacts: readonly ArtifactEntry[]): string[] {
  const items = inspectionFindings([...artifacts]).map((f): [string, string] => [
    f.file,
    `${f.tool} ${f.code} (${f.level}): ${f.message.split('\n')[0]}`
  ]);
  return grouped(items, 'artifact').map((l) => `! ${l}`);
}

/** One line of what changed: the first changed pair of lines, else the named cause. */
export function differenceGist(d: Pick<Difference, 'detail'>, width = 60): string {
  const lines = d.detail.split('\n');
  const cause = /^\(cause: (.*)\)$/.exec(lines[lines.length - 1] ?? '')?.[1];
  const header = lines[0]?.startsWith('--- ') && lines[1]?.startsWith('+++ ');
  const body = (header ? lines.slice(2) : lines).filter((l) => !l.startsWith('(cause: '));
  // A unified diff (with or without its header): every line a change, context or hunk mark.
  if (header || (body.length && body.every((l) => /^[-+ @]/.test(l)))) {
    const removed = body.find((l) => l.startsWith('-'))?.slice(1);
    const added = body.find((l) => l.startsWith('+'))?.slice(1);
    const fits = (s?: string): boolean => s === undefined || [...s.trim()].length <= width;
    if (cause && !(fits(removed) && fits(added))) return cause;
    const show = (s: string | undefined): string =>
      s === undefined ? '(nothing)' : clip(s.trim(), width);
    return `${show(removed)} → ${show(added)}`;
  }
  return lines[0] ?? '';
}

function clip(s: string, width: number): string {
  const chars = [...s];
  return chars.length > width ? chars.slice(0, width - 1).join('') + '…' : s;
}

/** `member: kind, likely cause: what changed`: one difference as verify's lines show it. */
export function differenceLine(d: Difference): string {
  return `${d.member || '(whole file)'}: ${d.kind}, likely ${d.cause}: ${differenceGist(d)}`;
}

/** The irreproducible files and what differs in each (up to `limit` differences per file). */
function differenceLines(verdicts: readonly ArtifactVerdict[], limit = 10): string[] {
  const out: string[] = [];
  for (const v of verdicts.filter((x) => !x.reproducible)) {
    out.push(`  ✗ ${v.file}: ${plural((v.differences ?? []).length, 'difference')}`);
    for (const d of (v.differences ?? []).slice(0, limit)) out.push(`      ${differenceLine(d)}`);
    if ((v.differences ?? []).length > limit)
      out.push(`      … ${v.differences.length - limit} more`);
  }
  return out;
}

/** Failures with their log tails; a tail that only repeats the message is left out. */
function failureLines(
  failures: readonly (FailureEntry & { job?: string })[],
  jobs: boolean
): string[] {
  const out: string[] = [];
  for (const f of failures) {
    // `zipapp: zipapp: …` would say its target twice.
    const headline = f.message.split('\n')[0].replace(`${f.target}: `, '');
    out.push(
      `  ✗ ${f.target}${f.python ? ` (Python ${f.python})` : ''}${jobs && f.job ? ` [${f.job}]` : ''}: ${headline}`
    );
    const tail = (f.logTail ?? '').trimEnd().split('\n').slice(-12);
    if (tail.join('\n').trim() && tail.join('\n').trim() !== f.message.trim())
      out.push(...tail.map((l) => `      ${l}`));
  }
  return out;
}

/** The artifacts of one manifest, its failures, and its phases. */
export function renderManifestTable(m: Manifest): string {
  return renderAggregateText(
    aggregate([{ dir: '', label: m.job ?? 'local', manifest: m, repro: null }])
  );
}

/** What `package` added: the same table, with the formats that failed first. */
export function renderPackageText(
  added: readonly ArtifactEntry[],
  failures: readonly FailureEntry[]
): string {
  const out = [
    `packaged: ${plural(added.length, 'artifact')}${failures.length ? `, ${plural(failures.length, 'failure')}` : ''}`
  ];
  if (failures.length) out.push('', 'FAILURES', ...failureLines(failures, false));
  if (added.length) out.push('', renderArtifactTable(added));
  return out.join('\n');
}

/**
 * verify's result: the verdict, the artifact table with each file's verdict (details from
 * OUT's manifest where it lists the file), what differs and why, the variations, the files.
 */
export function renderReproText(
  r: Reproducibility,
  o: { manifest?: Manifest | null; files?: { report: string; statement: string } } = {}
): string {
  const verdicts = r.artifacts ?? [];
  const good = verdicts.filter((v) => v.reproducible).length;
  const listed = (o.manifest?.artifacts ?? []).filter((a) =>
    verdicts.some((v) => v.file === a.file)
  );
  const out = [
    `${verdictLine(r.reproducible)} (${good} of ${plural(verdicts.length, 'artifact')} reproducible)`,
    '',
    renderArtifactTable(listed, { verdicts })
  ];
  const bad = differenceLines(verdicts);
  if (bad.length) out.push('', ...bad);
  const sensitive = verdicts.filter((v) => (v.sensitivities ?? []).length);
  if (sensitive.length) {
    out.push('', 'SENSITIVITIES (neutralised by Albatross; met by anyone rebuilding another way)');
    for (const v of sensitive) {
      out.push(`  ${v.file}:`);
      for (const d of v.sensitivities.slice(0, 10)) out.push(`      ${differenceLine(d)}`);
    }
  }
  const applied = (r.variations ?? []).filter((v) => v.applied).map((v) => v.name);
  const skipped = (r.variations ?? []).filter((v) => !v.applied);
  out.push('', `variations applied: ${applied.join(', ') || 'none'}`);
  if (skipped.length)
    out.push(
      `variations unavailable here: ${skipped.map((v) => `${v.name} (${v.note ?? ''})`).join('; ')}`
    );
  if (!r.sensitivityPass) out.push('sensitivity pass: skipped');
  if (o.files) out.push(`report: ${o.files.report}`, `statement: ${o.files.statement}`);
  return out.join('\n');
}

/** verify's result without OUT's manifest (the table's rows come from the verdicts alone). */
export function renderReproTable(r: Reproducibility): string {
  return renderReproText(r);
}

/** The aggregate as the CLI prints it: status, failures first, artifacts, verdict, cache. */
export function renderAggregateText(agg: Aggregate, base?: BaseComparison): string {
  const t = agg.totals;
  const out: string[] = [];
  const name = agg.project.name
    ? `${agg.project.name}${agg.project.version ? ' ' + agg.project.version : ''}`
    : '';
  const status = t.failures ? `✗ ${plural(t.failures, 'failure')}` : '✓ no failures';
  out.push(
    `${name ? name + ': ' : ''}${status} · ${plural(t.artifacts, 'artifact')} · ${humanSize(t.bytes)}${base ? ` (${sizeDelta(t.bytes, base.baseBytes)} vs base)` : ''} · ${plural(t.jobs, 'job')} · ${verdictLine(t.reproducible)}`
  );
  if (agg.failures.length)
    out.push('', 'FAILURES', ...failureLines(agg.failures, agg.jobs.length > 1));
  const table = renderArtifactTable(agg.artifacts, { verdicts: agg.verdicts, base });
  if (table) out.push('', table);
  if (agg.verdicts.length) {
    const bad = agg.verdicts.filter((v) => !v.reproducible);
    out.push(
      '',
      `REPRODUCIBILITY: ${verdictLine(t.reproducible)} (${agg.verdicts.length - bad.length}/${agg.verdicts.length} artifacts)`,
      ...differenceLines(agg.verdicts)
    );
  }
  // A cache that resolved nothing (no dependency wheel wanted) has nothing to say.
  const cached = agg.jobs.filter((j) => {
    const c = j.manifest?.cache;
    return c && (c.wheelsBuilt || c.wheelsReused || c.bytesRestored || c.hit === 'exact');
  });
  if (cached.length) {
    out.push('', 'CACHE');
    for (const j of cached) {
      const c = j.manifest!.cache!;
      out.push(
        `  ${j.label}: ${c.hit}, restored ${humanSize(c.bytesRestored)}, ${c.saved ? `saved ${humanSize(c.bytesSaved)}` : `not saved${c.saveSkipped ? ` (${c.saveSkipped})` : ''}`}`
      );
    }
  }
  const phases = agg.jobs.flatMap((j) =>
    jobPhases(j).map(
      (p) => `${agg.jobs.length > 1 ? j.label + '/' : ''}${p.name} ${seconds(p.seconds)}`
    )
  );
  if (phases.length) out.push('', `TIME  ${phases.join(' · ')}`);
  return out.join('\n');
}
