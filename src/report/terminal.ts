import { Manifest } from '../manifest/model.js';
import { Reproducibility } from '../manifest/reproducibility.js';
import { Aggregate, aggregate } from './aggregate.js';
import { BaseComparison } from './compare.js';
import { humanSize, plural, seconds, shortSha, sizeDelta } from './format.js';
import { inspectionFindings, inspectionStatus } from './inspection.js';
import { platformOf, repairLine, unrepairedNote, verdictLine } from './markdown.js';

/**
 * Terminal rendering: compact, aligned, plain-text tables. Stages call these to print what
 * they produced; `albatross report` prints the aggregate.
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

/** The artifacts of one manifest, its failures, and its phases. */
export function renderManifestTable(m: Manifest): string {
  return renderAggregateText(
    aggregate([{ dir: '', label: m.job ?? 'local', manifest: m, repro: null }])
  );
}

/** One line per artifact with its verdict, then the differences of irreproducible ones. */
export function renderReproTable(r: Reproducibility): string {
  const rows = [['FILE', 'VERDICT', 'DIFFS', 'SENSITIVITIES', 'SHA256 (1st / 2nd)']];
  for (const a of r.artifacts ?? []) {
    const [x, y] = a.sha256 ?? [null, null];
    rows.push([
      a.file,
      a.reproducible ? 'reproducible' : 'NOT reproducible',
      String((a.differences ?? []).length),
      String((a.sensitivities ?? []).length),
      x === y ? shortSha(x) : `${shortSha(x)} / ${shortSha(y)}`
    ]);
  }
  const out = [verdictLine(r.reproducible), '', formatTable(rows, [2, 3])];
  for (const a of (r.artifacts ?? []).filter((x) => (x.differences ?? []).length)) {
    out.push('', `${a.file}:`);
    for (const d of a.differences.slice(0, 20))
      out.push(`  ${d.member || '(whole file)'}: ${d.kind}, likely ${d.cause}`);
    if (a.differences.length > 20) out.push(`  … ${a.differences.length - 20} more`);
  }
  return out.join('\n');
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
  if (agg.failures.length) {
    out.push('', 'FAILURES');
    for (const f of agg.failures) {
      out.push(
        `  ✗ ${f.target}${f.python ? ` (Python ${f.python})` : ''} [${f.job}]: ${f.message.split('\n')[0]}`
      );
      const tail = (f.logTail ?? '').trimEnd().split('\n').slice(-8);
      if (tail.length && tail[0] !== '') out.push(...tail.map((l) => `      ${l}`));
    }
  }
  if (agg.artifacts.length) {
    const inspected = agg.artifacts.some((a) => a.inspection);
    const head = [
      'FILE',
      'KIND',
      'PLATFORM',
      'PY',
      'SIZE',
      ...(base ? ['Δ BASE'] : []),
      'SHA256',
      'TEST',
      ...(inspected ? ['INSPECTION'] : [])
    ];
    const rows = [head];
    for (const a of agg.artifacts) {
      const before = base?.before.get(a.file);
      const delta = base ? [before === undefined ? 'new' : sizeDelta(a.size, before)] : [];
      rows.push([
        a.file,
        a.kind,
        platformOf(a),
        a.python ?? a.pythonTag ?? '-',
        humanSize(a.size),
        ...delta,
        shortSha(a.sha256),
        a.test?.status ?? '-',
        ...(inspected ? [inspectionStatus(a) ?? '-'] : [])
      ]);
    }
    out.push('', formatTable(rows, base ? [4, 5] : [4]));
    const note = unrepairedNote(agg.artifacts);
    if (note) out.push(`! ${note.replace(/`/g, '')}`);
    for (const a of agg.artifacts)
      if (a.repair) out.push(`repaired ${a.file}: ${repairLine(a.repair)}`);
    for (const f of inspectionFindings(agg.artifacts))
      out.push(`! ${f.file}: ${f.tool} ${f.code} (${f.level}): ${f.message.split('\n')[0]}`);
  }
  const bad = agg.verdicts.filter((v) => !v.reproducible);
  if (agg.verdicts.length) {
    out.push(
      '',
      `REPRODUCIBILITY: ${verdictLine(t.reproducible)} (${agg.verdicts.length - bad.length}/${agg.verdicts.length} artifacts)`
    );
    for (const v of bad) {
      out.push(`  ✗ ${v.file}`);
      for (const d of (v.differences ?? []).slice(0, 10))
        out.push(`      ${d.member || '(whole file)'}: ${d.kind}, likely ${d.cause}`);
      if ((v.differences ?? []).length > 10) out.push(`      … ${v.differences.length - 10} more`);
    }
  }
  const cached = agg.jobs.filter((j) => j.manifest?.cache);
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
    (j.manifest?.phases ?? []).map(
      (p) => `${agg.jobs.length > 1 ? j.label + '/' : ''}${p.name} ${seconds(p.seconds)}`
    )
  );
  if (phases.length) out.push('', `TIME  ${phases.join(' · ')}`);
  return out.join('\n');
}
