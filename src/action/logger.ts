import * as core from '@actions/core';
import { Logger } from '../runtime/log.js';

/** Maps Logger onto the runner: groups per phase, annotations for warnings and errors. */
export function actionLogger(): Logger {
  return {
    info: (m) => core.info(m),
    warn: (m, file) => core.warning(m, file ? { file } : undefined),
    error: (m, file) => core.error(m, file ? { file } : undefined),
    debug: (m) => core.debug(m),
    notice: (m) => core.notice(m),
    group: (name, fn) => core.group(name, fn)
  };
}
