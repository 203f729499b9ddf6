import * as core from '@actions/core';
import { OPTION_DEFS } from '../config/definitions.js';
import { RawLayer } from '../config/resolve.js';

/** Reads the Action's inputs once: `command` plus every option with an Action source. */
export function loadInputs(): { command: string; projectDir: string; layer: RawLayer } {
  const values: Record<string, unknown> = {};
  for (const d of OPTION_DEFS.filter((x) => x.sources.action)) {
    const v = core.getInput(d.name);
    if (v !== '') values[d.name] = v;
  }
  return {
    command: core.getInput('command') || 'run',
    projectDir: core.getInput('project-dir') || '.',
    layer: { source: 'action', origin: 'action inputs', values }
  };
}
