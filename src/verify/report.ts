import * as path from 'node:path';
import { MANIFEST_NAME, readManifest, updateManifest } from '../manifest/io.js';
import { exists, writeFileAtomic } from '../runtime/fsutil.js';
import { buildStatement } from './intoto.js';
import { Difference, Reproducibility } from './model.js';

export const REPORT_NAME = 'reproducibility.json';
export const STATEMENT_NAME = 'reproducibility.intoto.json';
/** The predicate alone, for `actions/attest` (predicate-type + predicate-path). */
export const PREDICATE_NAME = 'reproducibility.predicate.json';

export interface WrittenReports {
  report: string;
  statement: string;
  predicate: string;
}

/** Writes the report, the in-toto statement and its predicate atomically; notes the verdict in the manifest. */
export async function writeReports(
  outDir: string,
  r: Reproducibility,
  project: { name: string; version: string | null }
): Promise<WrittenReports> {
  const statement = buildStatement(r);
  const files = {
    report: path.join(outDir, REPORT_NAME),
    statement: path.join(outDir, STATEMENT_NAME),
    predicate: path.join(outDir, PREDICATE_NAME)
  };
  await writeFileAtomic(files.report, JSON.stringify(r, null, 2) + '\n');
  await writeFileAtomic(files.statement, JSON.stringify(statement, null, 2) + '\n');
  await writeFileAtomic(files.predicate, JSON.stringify(statement.predicate, null, 2) + '\n');
  if ((await exists(path.join(outDir, MANIFEST_NAME))) && (await readManifest(outDir))) {
    await updateManifest(outDir, project, (m) => {
      m.reproducibility = { reproducible: r.reproducible, file: REPORT_NAME };
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
