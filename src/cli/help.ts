import { Command, Help } from 'commander';
import { Paint } from '../runtime/colour.js';
import { optionTerm } from './flags.js';

const EXIT_CODES =
  'Exit codes: 0 success, 1 negative verdict (a build failed, an artifact is not reproducible), 2 bad usage or configuration, 3 nothing to do.';

/** Help in the CLI's style: `--[no-]flag` pairs, declaration order, coloured titles and terms. */
export function configureHelp(program: Command, paint: Paint): void {
  program.configureHelp({
    optionTerm,
    sortOptions: false,
    sortSubcommands: false,
    styleTitle: (s) => paint('bold', s),
    styleOptionTerm: (s) => paint('cyan', s),
    styleSubcommandTerm: (s) => paint('cyan', s),
    styleArgumentTerm: (s) => paint('cyan', s),
    subcommandTerm: (cmd) => [cmd.name(), ...cmd.aliases()].join(', '),
    minWidthToWrap: 20,
    formatItem
  });
}

/** What `albatross help` says after the command list: how DIR is told from a command. */
export function programHelpText(program: Command, width: number): void {
  program
    .description(
      'Reproducible artifacts for any Python project: detect, plan, build, package, verify, report.'
    )
    .addHelpText(
      'after',
      wrap(
        [
          'DIR is the project directory (default: the current directory). A first argument that is not a command must be an existing directory or a path (./build for a directory named like a command); without a command, albatross runs the whole pipeline.',
          "Run 'albatross help COMMAND' or 'albatross COMMAND --help' for the flags a command takes; every flag can also be an Action input and most a [tool.albatross] key in pyproject.toml.",
          EXIT_CODES
        ],
        width
      )
    );
}

export function commandHelpText(cmd: Command, width: number): void {
  cmd.addHelpText('after', wrap([EXIT_CODES], width));
}

/**
 * A term and its description side by side; on a narrow terminal (under 32 columns left for
 * the text) the description goes below the term, so it still wraps to the width.
 */
function formatItem(term: string, termWidth: number, description: string, helper: Help): string {
  const width = helper.helpWidth ?? 80;
  if (!description || width - termWidth - 4 >= 32)
    return Help.prototype.formatItem.call(helper, term, termWidth, description, helper);
  const body = helper.boxWrap(description, width - 6).replace(/^/gm, '      ');
  return `  ${term}\n${body}`;
}

function wrap(paragraphs: string[], width: number): string {
  const help = new Help();
  return '\n' + paragraphs.map((p) => help.boxWrap(p, width)).join('\n\n');
}
