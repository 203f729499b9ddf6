import { statSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CommandName, OPTION_DEFS } from '../config/definitions.js';
import { closest, didYouMean } from '../config/didyoumean.js';
import { RawLayer } from '../config/resolve.js';
import { ConfigError } from '../errors.js';
import { painter } from '../runtime/colour.js';
import { TOOL_VERSION } from '../version.js';
import { CLI_COMMANDS, COMMAND_WORDS, commandNamed } from './commands.js';
import { addFlags, cliDefs, flagNames, readFlags } from './flags.js';
import { commandHelpText, configureHelp, programHelpText } from './help.js';

export type ParsedCli =
  | {
      kind: 'command';
      command: CommandName;
      projectDir: string;
      layer: RawLayer;
      debug: boolean;
      json: boolean;
    }
  /** Help or the version: print `text`, exit 0. */
  | { kind: 'output'; text: string };

/** What parsing may know of the terminal; tests pass fixed values. */
export interface CliTerminal {
  /** Help is wrapped to this width (default 80). */
  columns?: number;
  colour?: boolean;
  isDirectory?: (p: string) => boolean;
}

/**
 * Parses `albatross [COMMAND] [DIR] [flags]` with a commander program generated from
 * OPTION_DEFS: each command takes exactly the flags it reads. Usage errors are ConfigErrors
 * (exit 2) that name the flag or command.
 */
export function parseCli(argv: string[], term: CliTerminal = {}): ParsedCli {
  const args = routeArgv(argv, term.isDirectory ?? isDirectory);
  let out = '';
  const program = new Command('albatross')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (out += s),
      writeErr: (s) => (out += s),
      outputError: () => {},
      getOutHelpWidth: () => term.columns ?? 80,
      getOutHasColors: () => term.colour === true
    })
    .allowExcessArguments(true)
    .usage('[COMMAND] [DIR] [flags]')
    .optionsGroup('Flags:')
    .version(`albatross ${TOOL_VERSION}`, '-V, --version', 'Print the version.')
    .helpOption('-h, --help', 'Show help.')
    .helpCommand('help [COMMAND]', 'Show the help of a command.');
  configureHelp(program, painter(term.colour === true));
  programHelpText(program, term.columns ?? 80);

  let parsed: ParsedCli | undefined;
  for (const c of CLI_COMMANDS) {
    const defs = cliDefs(c.name);
    const sub = program
      .command(c.name)
      .aliases(c.aliases ?? [])
      .summary(c.summary)
      .description(c.summary)
      .usage('[DIR] [flags]')
      .optionsGroup('Flags:')
      .argument('[DIR]', 'Project directory (default: the current directory).');
    addFlags(sub, defs);
    commandHelpText(sub, term.columns ?? 80);
    sub.action((dir: string | undefined, _opts: unknown, cmd: Command) => {
      if (cmd.args.length > 1)
        throw new ConfigError(
          `unexpected argument '${cmd.args[1]}' (one project directory at most)`
        );
      const values = readFlags(cmd, defs);
      parsed = {
        kind: 'command',
        command: c.name,
        projectDir: dir ?? '.',
        layer: { source: 'cli', origin: 'command line', values },
        debug: values.debug === true,
        json: values.json === true
      };
    });
  }

  try {
    program.parse(args, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.exitCode === 0) return { kind: 'output', text: out };
    throw new ConfigError(usageMessage(e, commandNamed(args[0] ?? '')));
  }
  return parsed ?? { kind: 'output', text: out };
}

/**
 * Puts the command first: no arguments or leading flags mean `run`; a first word that is no
 * command names the project directory when it exists or is written as a path, else it is
 * an unknown command (never a directory that is not there).
 */
export function routeArgv(argv: string[], isDir: (p: string) => boolean): string[] {
  const first = argv[0];
  if (first === undefined) return ['run'];
  if (['-h', '--help', '-V', '--version'].includes(first)) return argv;
  if (first.startsWith('-')) {
    // `albatross --json detect DIR`: global switches before the command.
    const at = argv.findIndex((a) => !['--json', '--debug'].includes(a));
    if (at > 0 && commandNamed(argv[at]) !== undefined)
      return [argv[at], ...argv.slice(0, at), ...argv.slice(at + 1)];
    return ['run', ...argv];
  }
  if (first === 'help') {
    const what = argv[1];
    if (what !== undefined && !what.startsWith('-') && commandNamed(what) === undefined)
      throw unknownCommand(what);
    return argv;
  }
  if (commandNamed(first) !== undefined) return argv;
  if (/[/\\]/.test(first) || first.startsWith('.') || isDir(first)) return ['run', ...argv];
  throw unknownCommand(first);
}

function unknownCommand(word: string): ConfigError {
  return new ConfigError(
    `unknown command '${word}'${didYouMean(word, COMMAND_WORDS)}; run 'albatross help' for the commands, or name a project directory that exists`
  );
}

/** Commander's message, reworded in the CLI's voice with the flag and a did-you-mean. */
function usageMessage(e: CommanderError, command: CommandName | undefined): string {
  const text = e.message.replace(/^error: /, '').split('\n')[0];
  if (e.code === 'commander.unknownOption') {
    const flag = /'([^']+)'/.exec(text)?.[1] ?? '';
    const long = flag.split('=')[0];
    const other = OPTION_DEFS.find((d) => d.sources.cli && flagNames(d).includes(long));
    if (other && command)
      return `flag ${long} does not apply to 'albatross ${command}' (${other.commands.length ? `it is read by ${other.commands.join(', ')}` : 'no command reads it'})`;
    return `unknown flag '${long}'${long.startsWith('--') ? nearFlag(long, command) : ''}`;
  }
  if (e.code === 'commander.optionMissingArgument') {
    const long = /--[a-z0-9-]+/.exec(text)?.[0] ?? text;
    return `flag ${long} needs a value`;
  }
  return text;
}

/** ` (did you mean '--jobs'?)`: a flag of this command first, else one of another command. */
function nearFlag(long: string, command: CommandName | undefined): string {
  const own = closest(long, [...(command ? cliDefs(command).flatMap(flagNames) : []), '--help']);
  if (own) return ` (did you mean '${own}'?)`;
  const other = OPTION_DEFS.filter((d) => d.sources.cli).find((d) => closest(long, flagNames(d)));
  return other
    ? ` (did you mean '${closest(long, flagNames(other))}'? it is read by ${other.commands.join(', ')})`
    : '';
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
