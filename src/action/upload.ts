import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import { Options } from '../config/options.js';
import { MANIFEST_NAME, readManifest } from '../manifest/io.js';
import { Logger } from '../runtime/log.js';

/** Report files a later job (package, verify, report) needs besides the artifacts. */
const REPORT_FILES = [
  MANIFEST_NAME,
  'reproducibility.json',
  'albatross-summary.md',
  'albatross-aggregate.json'
];
const STATEMENT = /\.(intoto\.jsonl?|statement\.json)$/;

/**
 * The files of OUT worth handing to later jobs: every artifact the manifest lists, the
 * manifest and reports, in-toto statements and diffoscope pages. Sorted, relative to OUT.
 */
export async function filesToUpload(outDir: string): Promise<string[]> {
  const picked = new Set<string>();
  const m = await readManifest(outDir);
  for (const a of m?.artifacts ?? []) picked.add(a.file);
  let names: string[];
  try {
    names = await fs.readdir(outDir);
  } catch {
    return [];
  }
  for (const n of names) if (REPORT_FILES.includes(n) || STATEMENT.test(n)) picked.add(n);
  try {
    const repro = JSON.parse(
      await fs.readFile(path.join(outDir, 'reproducibility.json'), 'utf8')
    ) as {
      diffoscope?: string[];
    };
    for (const f of repro.diffoscope ?? []) picked.add(f);
  } catch {
    /* no reproducibility report */
  }
  const files: string[] = [];
  for (const rel of [...picked].sort()) {
    const abs = path.resolve(outDir, rel);
    if (!abs.startsWith(path.resolve(outDir) + path.sep)) continue; // never outside OUT
    try {
      if ((await fs.stat(abs)).isFile()) files.push(abs);
    } catch {
      /* listed but gone: the manifest lists only complete artifacts, so skip quietly */
    }
  }
  return files;
}

/**
 * Uploads OUT as one workflow artifact through the runner's artifact service (the Action has
 * the runtime token; a `run:` step would not). Returns the artifact id.
 */
export async function uploadOutDir(
  opts: Options,
  log: Logger
): Promise<{ id: number; size: number; files: number } | null> {
  const outDir = path.resolve(opts.projectDir, opts.out);
  const files = await filesToUpload(outDir);
  if (!files.length) {
    log.info(`artifact-name ${opts.artifactName}: nothing to upload in ${outDir}`);
    return null;
  }
  // The runner gives every JavaScript action this token; without it (a local run) there is no
  // artifact service to upload to.
  if (!process.env.ACTIONS_RUNTIME_TOKEN) {
    log.warn(
      `artifact-name ${opts.artifactName}: not uploaded (no artifact service: ACTIONS_RUNTIME_TOKEN is not set)`
    );
    return null;
  }
  const client = new DefaultArtifactClient();
  const res = await client.uploadArtifact(opts.artifactName, files, outDir);
  log.info(
    `uploaded ${files.length} files as artifact '${opts.artifactName}' (id ${res.id ?? '?'}, ${res.size ?? 0} bytes)`
  );
  return { id: res.id ?? 0, size: res.size ?? 0, files: files.length };
}

/** `manifest` and `artifacts` outputs for whatever command left a manifest in OUT. */
export async function manifestOutputs(outDir: string): Promise<Record<string, string>> {
  const m = await readManifest(outDir);
  if (!m) return {};
  return {
    manifest: path.join(outDir, MANIFEST_NAME),
    artifacts: JSON.stringify(m.artifacts)
  };
}
