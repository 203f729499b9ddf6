import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { sha256 } from '../runtime/fsutil.js';
import { classifyAll } from './classify.js';
import { compareBuffers } from './compare.js';
import { ArtifactVerdict, Difference, SideEnv } from './model.js';

/** An artifact a build produced: its file name (relative to its out dir) and kind. */
export interface BuiltArtifact {
  file: string;
  kind?: string;
}

export interface BuildSide {
  dir: string;
  artifacts: BuiltArtifact[];
  env: SideEnv;
}

async function read(dir: string, file: string): Promise<Buffer> {
  return fs.readFile(path.join(dir, file));
}

/** Classified differences between one artifact of two builds (both present). */
export async function diffArtifact(
  file: string,
  x: BuildSide,
  y: BuildSide
): Promise<{ shaX: string; shaY: string; diffs: Difference[] }> {
  const [bx, by] = await Promise.all([read(x.dir, file), read(y.dir, file)]);
  const raw = await compareBuffers(bx, by);
  return { shaX: sha256(bx), shaY: sha256(by), diffs: classifyAll(raw, x.env, y.env) };
}

const key = (d: Difference): string => `${d.member}\u0000${d.kind}`;

/**
 * Pairs artifacts by file name (wheel and sdist names are deterministic) and compares A with B
 * for the verdict; with C, the differences A vs C shows that A vs B does not are sensitivities.
 */
export async function compareBuilds(
  a: BuildSide,
  b: BuildSide,
  c: BuildSide | null
): Promise<ArtifactVerdict[]> {
  const kinds = new Map<string, string | undefined>();
  for (const s of [a, b])
    for (const x of s.artifacts)
      if (!kinds.has(x.file) || !kinds.get(x.file)) kinds.set(x.file, x.kind);
  const inA = new Set(a.artifacts.map((x) => x.file));
  const inB = new Set(b.artifacts.map((x) => x.file));
  const inC = new Set(c?.artifacts.map((x) => x.file) ?? []);
  const out: ArtifactVerdict[] = [];
  for (const file of [...kinds.keys()].sort()) {
    const v: ArtifactVerdict = {
      file,
      kind: kinds.get(file),
      reproducible: false,
      sha256: [null, null],
      differences: [],
      sensitivities: []
    };
    if (inA.has(file) && inB.has(file)) {
      const r = await diffArtifact(file, a, b);
      v.sha256 = [r.shaX, r.shaY];
      v.differences = r.diffs;
      // Bytes decide: equal hashes are reproducible, unequal ones never are.
      v.reproducible = r.shaX === r.shaY;
      if (!v.reproducible && !v.differences.length) {
        v.differences.push({
          member: '',
          kind: 'file',
          cause: 'unknown',
          detail: 'the files differ but no difference could be located'
        });
      }
    } else {
      const only = inA.has(file) ? 'first' : 'second';
      const dir = inA.has(file) ? a.dir : b.dir;
      const digest = sha256(await read(dir, file));
      v.sha256 = inA.has(file) ? [digest, null] : [null, digest];
      v.differences.push({
        member: '',
        kind: inA.has(file) ? 'removed' : 'added',
        cause: 'unknown',
        detail: `only the ${only} build produced this artifact`
      });
    }
    if (c && inA.has(file)) {
      if (inC.has(file)) {
        const seen = new Set(v.differences.map(key));
        const r = await diffArtifact(file, a, c);
        v.sensitivities = r.diffs.filter((d) => !seen.has(key(d)));
      } else {
        v.sensitivities.push({
          member: '',
          kind: 'removed',
          cause: 'unknown',
          detail: 'the sensitivity build did not produce this artifact'
        });
      }
    }
    out.push(v);
  }
  return out;
}
