import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import { Options } from '../config/options.js';
import { readManifest } from '../manifest/io.js';
import { ownDir, ownPath } from '../manifest/paths.js';
import { UploadedArtifact, artifactUrl } from '../report/links.js';
import { Logger } from '../runtime/log.js';

/**
 * The files of OUT worth handing to later jobs: every artifact the manifest lists (an image's
 * layout directory included) and everything in OUT/.albatross/ (manifest, reports, statements,
 * diffoscope pages). Sorted, absolute, never outside OUT.
 */
export async function filesToUpload(outDir: string): Promise<string[]> {
  const root = path.resolve(outDir);
  const picked = new Set<string>();
  const m = await readManifest(root);
  for (const a of m?.artifacts ?? []) {
    picked.add(path.resolve(root, a.file));
    if (a.layout) for (const f of await walkFiles(path.resolve(root, a.layout))) picked.add(f);
  }
  for (const f of await walkFiles(ownDir(root))) if (!f.endsWith('.lock')) picked.add(f);
  const files: string[] = [];
  for (const abs of [...picked].sort()) {
    if (!abs.startsWith(root + path.sep)) continue; // never outside OUT
    try {
      if ((await fs.stat(abs)).isFile()) files.push(abs);
    } catch {
      /* listed but gone: the manifest lists only complete artifacts, so skip quietly */
    }
  }
  return files;
}

/** Regular files under `dir` (not following links); none when it does not exist. */
async function walkFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walkFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** What an upload made: the artifact's id, name and page (as actions/upload-artifact's `artifact-url`). */
export interface UploadedOut extends UploadedArtifact {
  id: number;
  size: number;
  files: number;
}

/**
 * Uploads OUT as one workflow artifact through the runner's artifact service (the Action has
 * the runtime token; a `run:` step would not). Returns the artifact id.
 */
export async function uploadOutDir(opts: Options, log: Logger): Promise<UploadedOut | null> {
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
  const id = res.id ?? 0;
  return {
    id,
    name: opts.artifactName,
    url: artifactUrl(process.env, id),
    size: res.size ?? 0,
    files: files.length
  };
}

/** `manifest` and `artifacts` outputs for whatever command left a manifest in OUT. */
export async function manifestOutputs(outDir: string): Promise<Record<string, string>> {
  const m = await readManifest(outDir);
  if (!m) return {};
  return {
    manifest: ownPath(outDir, 'manifest'),
    artifacts: JSON.stringify(m.artifacts)
  };
}
