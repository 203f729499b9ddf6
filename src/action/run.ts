import * as path from 'node:path';
import * as core from '@actions/core';
import { getCommand } from '../commands/index.js';
import { resolveOptions } from '../config/resolve.js';
import { AlbatrossError } from '../errors.js';
import { runLinks } from '../report/links.js';
import { SUMMARY_LIMIT, fitMarkdown, summarizeOutDir } from '../report/markdown.js';
import { loadInputs } from './inputs.js';
import { actionLogger } from './logger.js';
import { manifestOutputs, uploadOutDir } from './upload.js';

/** Commands that write nothing into OUT, so upload nothing (a later step's upload stays unique). */
const READ_ONLY_COMMANDS = ['detect', 'plan'];

/** The Action: inputs → Options → command → outputs and job summary. One try/catch. */
export async function run(): Promise<void> {
  try {
    const inputs = loadInputs();
    const command = getCommand(inputs.command, "input 'command'");
    const opts = await resolveOptions(inputs.projectDir, [inputs.layer], inputs.defaults);
    const log = actionLogger();
    // Upload even after a negative verdict: the report job needs the failing job's manifest.
    // Once: the report stage uploads before its comment (to link it), else it happens here.
    let uploading: ReturnType<typeof uploadOutDir> | undefined;
    const upload = (): ReturnType<typeof uploadOutDir> =>
      (uploading ??=
        opts.artifactName && !READ_ONLY_COMMANDS.includes(inputs.command)
          ? uploadOutDir(opts, log)
          : Promise.resolve(null));
    const result = await command({ opts, log, upload });
    const outputs = {
      ...(await manifestOutputs(path.resolve(opts.projectDir, opts.out))),
      ...result.outputs
    };
    for (const [k, v] of Object.entries(outputs)) core.setOutput(k, v);
    const up = await upload();
    if (up) {
      core.setOutput('artifact-id', String(up.id));
      if (up.url) core.setOutput('artifact-url', up.url);
    }
    if (opts.summary && process.env.GITHUB_STEP_SUMMARY) {
      // Stages that return no summary still get one: rendered from what they left in OUT.
      const summary =
        result.summary ??
        (await summarizeOutDir(path.resolve(opts.projectDir, opts.out), runLinks()));
      if (summary) await core.summary.addRaw(fitMarkdown(summary, SUMMARY_LIMIT), true).write();
    }
    if (result.exitCode !== 0) {
      core.setFailed(`albatross ${inputs.command} finished with exit code ${result.exitCode}`);
    }
  } catch (e) {
    const msg = e instanceof AlbatrossError ? e.message : ((e as Error).stack ?? String(e));
    core.setFailed(msg);
  }
}
