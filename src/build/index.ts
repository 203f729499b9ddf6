import { buildProjectImpl } from './project.js';
import { BuildOutcome, BuildRequest } from './types.js';

export type { BuildEnvironment, BuildOutcome, BuildRequest } from './types.js';

/**
 * Builds the sdist (through the project's PEP 517 backend) and, from the unpacked sdist, one
 * wheel per Python (one `py3-none-any` for pure projects), on the host or in a container;
 * normalises, tests and publishes each into `outDir` with its manifest entry. A failing Python
 * does not stop the others; `ok` is false when anything failed.
 */
export async function buildProject(req: BuildRequest): Promise<BuildOutcome> {
  return buildProjectImpl(req);
}
