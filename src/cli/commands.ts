import { CommandName } from '../config/definitions.js';

/** The commands as `albatross help` lists them, in pipeline order. */
export const CLI_COMMANDS: readonly { name: CommandName; summary: string; aliases?: string[] }[] = [
  {
    name: 'detect',
    summary: 'Read the project: name, version, build backend, native code, entry points.'
  },
  {
    name: 'plan',
    summary: 'Show the build jobs: one per platform bucket (--json: the GitHub matrix).'
  },
  {
    name: 'lock',
    summary: 'Write pylock.toml and pylock.build.toml (PEP 751) at the project root.'
  },
  { name: 'build', summary: 'Build the sdist and wheels into OUT, test them, write the manifest.' },
  {
    name: 'package',
    summary:
      'Package the application (pex, zipapp, image, venv, deb) into OUT, building its wheel if need be.'
  },
  {
    name: 'verify',
    summary: 'Build twice in differing environments and compare every artifact bit for bit.'
  },
  {
    name: 'report',
    summary: 'Merge the manifests and reproducibility reports under --in into one summary.'
  },
  {
    name: 'run',
    summary: 'The whole pipeline: plan, build, package, verify, report (the default).',
    aliases: ['all']
  }
];

/** A command name or alias → its command; undefined for anything else. */
export function commandNamed(word: string): CommandName | undefined {
  return CLI_COMMANDS.find((c) => c.name === word || c.aliases?.includes(word))?.name;
}

export const COMMAND_WORDS: readonly string[] = CLI_COMMANDS.flatMap((c) => [
  c.name,
  ...(c.aliases ?? [])
]);
