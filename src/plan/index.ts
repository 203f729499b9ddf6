import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { BuildPlan } from './model.js';

/** Placeholder: planning lands with the foundation issue. */
export function planBuild(_model: ProjectModel, _opts: Options): BuildPlan {
  throw new Error('plan is not implemented yet');
}
