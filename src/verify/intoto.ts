import { TOOL_VERSION } from '../version.js';
import { Cause, Reproducibility } from './model.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://albatross.dev/reproducibility/v1';

export interface InTotoStatement {
  _type: typeof STATEMENT_TYPE;
  subject: Array<{ name: string; digest: { sha256: string } }>;
  predicateType: typeof PREDICATE_TYPE;
  predicate: ReproducibilityPredicate;
}

export interface ReproducibilityPredicate {
  builder: { id: string; version: string };
  rebuild: {
    sourceDateEpoch: number | null;
    sensitivityPass: boolean;
    variations: Reproducibility['variations'];
    /** `--locked`: the PEP 751 locks the builds installed from, as in-toto resource descriptors. */
    locks?: Array<{ name: string; digest: { sha256: string } }>;
  };
  verdict: { reproducible: boolean; artifacts: number; irreproducible: number };
  artifacts: Array<{
    name: string;
    reproducible: boolean;
    sha256: [string | null, string | null];
    differences: number;
    sensitivities: number;
    causes: Partial<Record<Cause, number>>;
  }>;
}

function causes(ds: { cause: Cause }[]): Partial<Record<Cause, number>> {
  const out: Partial<Record<Cause, number>> = {};
  for (const d of [...ds].sort((x, y) => x.cause.localeCompare(y.cause)))
    out[d.cause] = (out[d.cause] ?? 0) + 1;
  return out;
}

/**
 * An in-toto v1 Statement: every artifact of the first build is a subject (its sha256 is what
 * ships); the predicate records how it was rebuilt and what the comparison found.
 */
export function buildStatement(r: Reproducibility): InTotoStatement {
  const arts = [...r.artifacts].sort((a, b) => a.file.localeCompare(b.file));
  return {
    _type: STATEMENT_TYPE,
    subject: arts
      .filter((a) => a.sha256[0])
      .map((a) => ({ name: a.file, digest: { sha256: a.sha256[0] as string } })),
    predicateType: PREDICATE_TYPE,
    predicate: {
      builder: { id: 'https://albatross.dev/verify', version: TOOL_VERSION },
      rebuild: {
        sourceDateEpoch: r.sourceDateEpoch,
        sensitivityPass: r.sensitivityPass,
        variations: r.variations,
        ...(r.locks
          ? { locks: r.locks.map((l) => ({ name: l.file, digest: { sha256: l.sha256 } })) }
          : {})
      },
      verdict: {
        reproducible: r.reproducible,
        artifacts: arts.length,
        irreproducible: arts.filter((a) => !a.reproducible).length
      },
      artifacts: arts.map((a) => ({
        name: a.file,
        reproducible: a.reproducible,
        sha256: a.sha256,
        differences: a.differences.length,
        sensitivities: a.sensitivities.length,
        causes: causes(a.differences)
      }))
    }
  };
}
