import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ManifestRecorder, ProjectId } from '../../src/manifest/recorder.js';
import { sha256File } from '../../src/runtime/fsutil.js';
import { Logger } from '../../src/runtime/log.js';

/**
 * Opens OUT's manifest and lists the wheels some other tool (pip wheel) put there, as a build
 * would have: package takes only the wheels the manifest lists. Shared by tests and benchmarks.
 */
export async function recordWheels(
  outDir: string,
  project: ProjectId,
  log: Logger
): Promise<ManifestRecorder> {
  const r = await ManifestRecorder.open(outDir, project, log);
  for (const file of (await fs.readdir(outDir)).filter((f) => f.endsWith('.whl')).sort()) {
    const abs = path.join(outDir, file);
    await r.publish({
      file,
      kind: 'wheel',
      sha256: await sha256File(abs),
      size: (await fs.stat(abs)).size
    });
  }
  return r;
}
