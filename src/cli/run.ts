import { getCommand } from '../commands/index.js';
import { resolveOptions } from '../config/resolve.js';
import { exitCodeOf } from '../errors.js';
import { colourEnabled, painter } from '../runtime/colour.js';
import { terminalLogger } from '../runtime/log.js';
import { parseCli } from './args.js';
import { reportError } from './failure.js';
import { highlight } from './highlight.js';

/** The CLI: argv in, exit code out. The only place that turns errors into exit codes. */
export async function runCli(argv: string[]): Promise<number> {
  let debug = argv.includes('--debug');
  let json = argv.includes('--json');
  const colour = colourEnabled(process.stdout);
  try {
    const cli = parseCli(argv, {
      columns: process.stdout.isTTY ? process.stdout.columns : undefined,
      colour
    });
    if (cli.kind === 'output') {
      process.stdout.write(cli.text);
      return 0;
    }
    ({ debug, json } = cli);
    const command = getCommand(cli.command);
    const opts = await resolveOptions(cli.projectDir, [cli.layer]);
    const log = terminalLogger({ debug: opts.debug });
    const result = await command({ opts, log });
    if (opts.json) {
      if (result.json !== undefined)
        process.stdout.write(JSON.stringify(result.json, null, 2) + '\n');
    } else if (result.text) {
      process.stdout.write(highlight(result.text, painter(colour)) + '\n');
    }
    return result.exitCode;
  } catch (e) {
    reportError(e, { debug, json });
    return exitCodeOf(e);
  }
}
