import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { Manifest } from '../manifest/model.js';
import { Logger } from '../runtime/log.js';

export type PackageFormat = 'pex' | 'zipapp' | 'image';

export interface PackageRequest {
  model: ProjectModel;
  opts: Options;
  log: Logger;
  /** Output directory holding the built wheels and the manifest (absolute). */
  outDir: string;
  formats: PackageFormat[];
}

export interface PackageOutcome {
  manifest: Manifest;
  ok: boolean;
}

/** Placeholder until the package stage lands. */
export async function packageProject(_req: PackageRequest): Promise<PackageOutcome> {
  throw new Error('package is not implemented yet');
}
