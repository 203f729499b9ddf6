import { parseArgs } from 'node:util';
import { OPTION_DEFS } from '../config/definitions.js';
import { RawLayer } from '../config/resolve.js';
import { ConfigError } from '../errors.js';

export interface ParsedCli {
  command: string;
  projectDir: string;
  layer: RawLayer;
  help: boolean;
  version: boolean;
  debug: boolean;
  json: boolean;
}

/**
 * Parses `albatross [command] [DIR] [flags]`. Every option of OPTION_DEFS with a CLI source is a
 * flag; booleans also take `--no-NAME`; lists may be repeated or comma-separated.
 */
export function parseCli(argv: string[], commands: string[]): ParsedCli {
  const options: Record<
    string,
    { type: 'string' | 'boolean'; multiple?: boolean; short?: string }
  > = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'V' }
  };
  const cliDefs = OPTION_DEFS.filter((d) => d.sources.cli);
  for (const d of cliDefs) {
    if (d.type === 'boolean') {
      options[d.name] = { type: 'boolean' };
      options[`no-${d.name}`] = { type: 'boolean' };
    } else {
      options[d.name] = { type: 'string', multiple: d.type === 'list' || d.type === 'map' };
    }
    if (d.short) options[d.name].short = d.short;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ConfigError(cleanParseError((e as Error).message));
  }
  const pos = parsed.positionals;
  let command = 'run';
  if (pos.length && commands.includes(pos[0])) command = pos.shift()!;
  if (pos.length > 1)
    throw new ConfigError(`unexpected argument '${pos[1]}' (one project directory at most)`);
  const values: Record<string, unknown> = {};
  const v = parsed.values as Record<string, unknown>;
  for (const d of cliDefs) {
    if (d.type === 'boolean') {
      if (v[d.name] && v[`no-${d.name}`])
        throw new ConfigError(`flags --${d.name} and --no-${d.name} contradict each other`);
      if (v[d.name]) values[d.name] = true;
      if (v[`no-${d.name}`]) values[d.name] = false;
    } else if (v[d.name] !== undefined) {
      const raw = v[d.name];
      values[d.name] = Array.isArray(raw) ? raw.join(',') : raw;
    }
  }
  return {
    command,
    projectDir: pos[0] ?? '.',
    layer: { source: 'cli', origin: 'command line', values },
    help: Boolean(v.help),
    version: Boolean(v.version),
    debug: values.debug === true,
    json: values.json === true
  };
}

function cleanParseError(msg: string): string {
  // Node's messages are good but mention internals; keep the first sentence.
  return msg
    .split('. To specify')[0]
    .replace(/^Unknown option/, 'unknown flag')
    .replace(/^Option/, 'flag');
}

export function helpText(commands: string[]): string {
  const lines = [
    'Usage: albatross [command] [DIR] [flags]',
    '',
    `Commands: ${commands.join(', ')} (default: run — the whole pipeline)`,
    '',
    'Flags:'
  ];
  for (const d of OPTION_DEFS.filter((x) => x.sources.cli)) {
    const flag =
      d.type === 'boolean' ? `--[no-]${d.name}` : `--${d.name} ${d.type === 'int' ? 'N' : 'VALUE'}`;
    const short = d.short ? `-${d.short}, ` : '';
    lines.push(`  ${(short + flag).padEnd(34)} ${d.description.replace(/`/g, '')}`);
  }
  lines.push(
    '',
    'Exit codes: 0 success, 1 negative verdict, 2 bad usage or configuration, 3 nothing to do.'
  );
  return lines.join('\n');
}
