import { Options } from '../config/options.js';
import { Logger } from '../runtime/log.js';
import { ProjectModel } from './model.js';

/** Placeholder: detection lands with the foundation issue. */
export async function detectProject(_opts: Options, _log: Logger): Promise<ProjectModel> {
  throw new Error('detect is not implemented yet');
}
