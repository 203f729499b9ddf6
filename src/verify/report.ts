import { ManifestRecorder } from '../manifest/recorder.js';
import { OWN_DIR, OWN_FILES, ownPath } from '../manifest/paths.js';
import { writeFileAtomic } from '../runtime/fsutil.js';
import { buildStatement } from './intoto.js';
import { Reproducibility } from './model.js';

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
