import { Options } from '../config/options.js';
import { CacheReport } from '../manifest/model.js';
import { Logger } from '../runtime/log.js';

export interface WheelhouseRequest {
  opts: Options;
  log: Logger;
  /** Interpreter that resolves and builds the dependency wheels. */
  python: { version: string; executable: string };
  /** PEP 508 requirements and/or paths of local wheels whose dependencies are needed. */
  requirements: string[];
  /** Platform tag, or the container image digest, the wheels are for (part of the key). */
  platformKey: string;
  /** Lock/requirements files whose content is part of the key (absolute paths). */
  keyFiles?: string[];
  /** Directory the wheelhouse is written to (created). */
  dest: string;
}

export interface WheelhouseResult {
  /** Directory holding every dependency wheel (pass as --find-links, --no-index). */
  dir: string;
  report: CacheReport;
}

/**
 * Placeholder until the cache issue lands: resolves dependency wheels with `pip wheel` and
 * no caching. Consumers (build's test-install, package) call this one function.
 */
export async function prepareWheelhouse(_req: WheelhouseRequest): Promise<WheelhouseResult> {
  throw new Error('the dependency wheel cache is not implemented yet');
}
