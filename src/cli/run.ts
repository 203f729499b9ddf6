import { COMMAND_NAMES, getCommand } from '../commands/index.js';
import { resolveOptions } from '../config/resolve.js';
import { AlbatrossError, exitCodeOf } from '../errors.js';
import { terminalLogger } from '../runtime/log.js';
import { TOOL_VERSION } from '../version.js';
import { helpText, parseCli } from './args.js';

/** The CLI: argv in, exit code out. The only place that turns errors into exit codes. */
export async function runCli(argv: string[]): Promise<number> {
  let debug = argv.includes('--debug');
  try {
    const cli = parseCli(argv, COMMAND_NAMES);
    debug = cli.debug;
    if (cli.version) {
      process.stdout.write(`albatross ${TOOL_VERSION}\n`);
      return 0;
    }
    if (cli.help) {
      process.stdout.write(helpText(COMMAND_NAMES) + '\n');
      return 0;
    }
    const command = getCommand(cli.command);
    const opts = await resolveOptions(cli.projectDir, [cli.layer]);
    const log = terminalLogger({ debug: opts.debug });
    const result = await command({ opts, log });
    if (opts.json) {
      if (result.json !== undefined)
        process.stdout.write(JSON.stringify(result.json, null, 2) + '\n');
    } else if (result.text) {
      process.stdout.write(result.text + '\n');
    }
    return result.exitCode;
  } catch (e) {
    if (e instanceof AlbatrossError && !debug) {
      process.stderr.write(`albatross: ${e.message}\n`);
    } else if (!debug) {
      process.stderr.write(`albatross: ${(e as Error).message ?? String(e)}\n`);
    } else {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    }
    return exitCodeOf(e);
  }
}
