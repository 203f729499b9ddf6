import * as core from '@actions/core';
import { OPTION_DEFS } from '../config/definitions.js';
import { Options, camel } from '../config/options.js';
import { RawLayer } from '../config/resolve.js';

/** Reads the Action's inputs once: `command` plus every option with an Action source. */
export function loadInputs(): {
  command: string;
  projectDir: string;
  layer: RawLayer;
  defaults: Partial<Options>;
} {
  const values: Record<string, unknown> = {};
  for (const d of OPTION_DEFS.filter((x) => x.sources.action)) {
    const v = core.getInput(d.name);
    if (v !== '') values[d.name] = v;
  }
  return {
    command: core.getInput('command') || 'run',
    projectDir: core.getInput('project-dir') || '.',
    layer: { source: 'action', origin: 'action inputs', values },
    defaults: actionDefaults()
  };
}

/** The Action's own defaults (OPTION_DEFS `actionDefault`): defaults, beneath `[tool.albatross]`. */
export function actionDefaults(): Partial<Options> {
  const values: Record<string, unknown> = {};
  for (const d of OPTION_DEFS)
    if (d.actionDefault !== undefined) values[camel(d.name)] = d.actionDefault;
  return values as Partial<Options>;
}
