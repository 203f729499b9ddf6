import * as core from '@actions/core';
import { getCommand } from '../commands/index.js';
import { resolveOptions } from '../config/resolve.js';
import { AlbatrossError } from '../errors.js';
import { loadInputs } from './inputs.js';
import { actionLogger } from './logger.js';

/** The Action: inputs → Options → command → outputs and job summary. One try/catch. */
export async function run(): Promise<void> {
  try {
    const inputs = loadInputs();
    const command = getCommand(inputs.command, "input 'command'");
    const opts = await resolveOptions(inputs.projectDir, [inputs.layer]);
    const result = await command({ opts, log: actionLogger(), surface: 'action' });
    for (const [k, v] of Object.entries(result.outputs ?? {})) core.setOutput(k, v);
    if (result.summary && opts.summary && process.env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(result.summary, true).write();
    }
    if (result.exitCode !== 0) {
      core.setFailed(`albatross ${inputs.command} finished with exit code ${result.exitCode}`);
    }
  } catch (e) {
    const msg = e instanceof AlbatrossError ? e.message : ((e as Error).stack ?? String(e));
    core.setFailed(msg);
  }
}
