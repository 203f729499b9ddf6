import { ManifestRecorder } from '../manifest/recorder.js';
import { OWN_DIR, OWN_FILES, ownPath } from '../manifest/paths.js';
import { writeFileAtomic } from '../runtime/fsutil.js';
import { buildStatement } from './intoto.js';
import { Difference, Reproducibility } from './model.js';

export interface WrittenReports {
  report: string;
  statement: string;
  predicate: string;
}

/**
 * Writes the report, the in-toto statement and its predicate atomically into OUT/.albatross/;
 * notes the verdict in OUT's manifest when OUT has one.
 */
export async function writeReports(
  outDir: string,
  r: Reproducibility,
  recorder: ManifestRecorder
): Promise<WrittenReports> {
  const statement = buildStatement(r);
  const files = {
    report: ownPath(outDir, 'reproducibility'),
    statement: ownPath(outDir, 'statement'),
    predicate: ownPath(outDir, 'predicate')
  };
  await writeFileAtomic(files.report, JSON.stringify(r, null, 2) + '\n');
  await writeFileAtomic(files.statement, JSON.stringify(statement, null, 2) + '\n');
  await writeFileAtomic(files.predicate, JSON.stringify(statement.predicate, null, 2) + '\n');
  if (recorder.exists) {
    await recorder.update((x) => {
      x.reproducibility = {
        reproducible: r.reproducible,
        file: `${OWN_DIR}/${OWN_FILES.reproducibility}`
      };
    });
  }
  return files;
}

/** Exit 1 when something is not reproducible and the user asked to fail on it. */
export function exitCodeFor(reproducible: boolean, failOnIrreproducible: boolean): number {
  return reproducible || !failOnIrreproducible ? 0 : 1;
}

const line = (d: Difference): string =>
  `    ${d.member || '(file)'}  ${d.kind}  [${d.cause}]  ${d.detail.split('\n')[0]}`;

/** The terminal summary: verdict per artifact, then what differs and why. */
export function summaryText(r: Reproducibility, files?: WrittenReports): string {
  const out: string[] = [];
  out.push(
    r.reproducible
      ? 'reproducible: every artifact is bit-for-bit identical across the two builds'
      : 'NOT reproducible'
  );
  for (const a of r.artifacts) {
    out.push(
      `  ${a.reproducible ? '✓' : '✗'} ${a.file}  ${a.sha256[0]?.slice(0, 16) ?? '-'} / ${a.sha256[1]?.slice(0, 16) ?? '-'}`
    );
    for (const d of a.differences.slice(0, 20)) out.push(line(d));
    if (a.differences.length > 20) out.push(`    … ${a.differences.length - 20} more`);
    if (a.sensitivities.length) {
      out.push(
        '    sensitivities (neutralised by Albatross; met by anyone rebuilding another way):'
      );
      for (const d of a.sensitivities.slice(0, 20)) out.push('  ' + line(d));
    }
  }
  const skipped = r.variations.filter((v) => !v.applied);
  out.push(
    `variations applied: ${
      r.variations
        .filter((v) => v.applied)
        .map((v) => v.name)
        .join(', ') || 'none'
    }`
  );
  if (skipped.length)
    out.push(
      `variations unavailable here: ${skipped.map((v) => `${v.name} (${v.note ?? ''})`).join('; ')}`
    );
  if (!r.sensitivityPass) out.push('sensitivity pass: skipped');
  if (files) out.push(`report: ${files.report}`, `statement: ${files.statement}`);
  return out.join('\n');
}
