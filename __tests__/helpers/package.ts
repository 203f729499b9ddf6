import { Options } from '../../src/config/options.js';
import { detectProject } from '../../src/detect/index.js';
import { formatNamed } from '../../src/package/formats/index.js';
import { PackageOutcome, packageProject } from '../../src/package/index.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { recordWheels } from './manifest.js';

/**
 * Packages `format` from the wheels already in OUT (listed in its manifest as a build would
 * have), for the project `opts.projectDir`; returns the outcome and the log lines.
 */
export async function packageFromWheels(
  out: string,
  opts: Options,
  format: string
): Promise<PackageOutcome & { log: string[] }> {
  const log = memoryLogger();
  const model = await detectProject(opts, log);
  const recorder = await recordWheels(out, model, log);
  const r = await packageProject({
    model,
    opts,
    log,
    outDir: out,
    formats: [formatNamed(format)],
    recorder
  });
  return { ...r, log: log.lines };
}
