import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { detectEngine } from '../runtime/container.js';
import { Logger } from '../runtime/log.js';

/**
 * Where wheels are built. `auto`: native projects on Linux go into a container when an engine
 * works, else the host (with a warning: host wheels carry the `linux_*` tag, not manylinux).
 */
export async function resolveMode(
  model: ProjectModel,
  opts: Options,
  log: Logger,
  platform: NodeJS.Platform = process.platform
): Promise<'host' | 'container'> {
  if (opts.mode !== 'auto') return opts.mode;
  if (!model.native || platform !== 'linux') return 'host';
  if (await detectEngine(opts.containerEngine)) return 'container';
  log.warn(
    'native project but no container engine works here (container-engine); building on the host: wheels get linux_* tags and are not repaired'
  );
  return 'host';
}
