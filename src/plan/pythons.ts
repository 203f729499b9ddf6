import { ConfigError, NothingToDoError } from '../errors.js';
import { ProjectModel } from '../detect/model.js';
import { allowsMinor } from '../detect/pythons.js';
import { byVersionAsc } from '../runtime/python.js';
import { optionName } from './buckets.js';

/**
 * The Python versions to build: the model's allowed versions, restricted by `python` when set.
 * None allowed → NothingToDoError (exit 3); a requested version outside the target set or
 * requires-python → ConfigError naming the option.
 */
export function planPythons(model: ProjectModel, requested: string[], targets: string[]): string[] {
  if (!model.pythonVersions.length) {
    throw new NothingToDoError(
      `requires-python '${model.requiresPython ?? ''}' of ${model.name} allows none of the target Pythons ` +
        `(${targets.join(', ')}); widen requires-python or set 'target-pythons'`
    );
  }
  if (!requested.length) return [...model.pythonVersions].sort(byVersionAsc);
  const out: string[] = [];
  for (const v of requested) {
    if (!/^\d+\.\d+$/.test(v))
      throw new ConfigError(`${optionName('python')}: '${v}' is not a minor version like 3.12`);
    if (!targets.includes(v)) {
      throw new ConfigError(
        `${optionName('python')}: ${v} is not in the target set (${targets.join(', ')}; see 'target-pythons')`
      );
    }
    if (!allowsMinor(model.requiresPython, v)) {
      throw new ConfigError(
        `${optionName('python')}: ${v} is not allowed by requires-python '${model.requiresPython}'`
      );
    }
    if (!out.includes(v)) out.push(v);
  }
  return out.sort(byVersionAsc);
}
