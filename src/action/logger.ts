import * as core from '@actions/core';
import { Logger, onceBy } from '../runtime/log.js';

/** Maps Logger onto the runner: groups per phase, annotations for warnings and errors. */
export function actionLogger(): Logger {
  const log: Logger = {
    info: (m) => core.info(m),
    warn: (m, file) => core.warning(m, file ? { file } : undefined),
    error: (m, file) => core.error(m, file ? { file } : undefined),
    debug: (m) => core.debug(m),
    notice: (m) => core.notice(m),
    // The group's last line says when it failed: a folded group otherwise hides it.
    group: (name, fn, failed) =>
      core.group(name, async () => {
        try {
          const r = await fn();
          if (failed?.(r)) core.info(`✗ ${name} failed`);
          return r;
        } catch (e) {
          core.info(`✗ ${name} failed`);
          throw e;
        }
      })
  };
  log.once = onceBy(log);
  return log;
}
