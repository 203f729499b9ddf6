import { Command, Option } from 'commander';
import { CommandName, OPTION_DEFS, OptionDef } from '../config/definitions.js';

/** The options a command takes on the command line: those of OPTION_DEFS it reads. */
export function cliDefs(command: CommandName): OptionDef[] {
  return OPTION_DEFS.filter((d) => d.sources.cli && d.commands.includes(command));
}

/** Every long flag spelling of an option: `--name`, plus `--no-name` for a plain boolean. */
export function flagNames(d: OptionDef): string[] {
  return isDual(d) ? [`--${d.name}`, `--no-${d.name}`] : [`--${d.name}`];
}

/**
 * A boolean that can be set elsewhere too (a default of true, `[tool.albatross]`) comes in a
 * pair, `--test` / `--no-test`, so a flag can undo it; one named `no-…` is a flag of its own.
 */
function isDual(d: OptionDef): boolean {
  return (
    d.type === 'boolean' &&
    !d.name.startsWith('no-') &&
    (d.default === true || !!d.sources.pyproject)
  );
}

/** Adds the commander options of `defs` to `cmd`; their values come back through readFlags. */
export function addFlags(cmd: Command, defs: OptionDef[]): void {
  for (const d of defs) {
    const short = d.short ? `-${d.short}, ` : '';
    if (d.type === 'boolean') {
      cmd.addOption(new Option(`${short}--${d.name}`, helpDescription(d)));
      if (isDual(d)) cmd.addOption(new Option(`--no-${d.name}`).hideHelp());
      continue;
    }
    // Repeated list flags add up (`--python 3.11 --python 3.12` is `3.11,3.12`); resolve
    // splits and checks them like an Action input.
    const collect = (v: string, prev?: string): string =>
      prev === undefined || (d.type !== 'list' && d.type !== 'map') ? v : `${prev},${v}`;
    cmd.addOption(
      new Option(`${short}--${d.name} <${metavar(d)}>`, helpDescription(d)).argParser(collect)
    );
  }
}

/** The raw values the user gave (never commander's defaults), keyed by option name. */
export function readFlags(cmd: Command, defs: OptionDef[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const d of defs) {
    const opt = cmd.options.find((o) => o.long === `--${d.name}`)!;
    const key = opt.attributeName();
    if (cmd.getOptionValueSource(key) !== 'cli') continue;
    const v: unknown = cmd.getOptionValue(key);
    // commander reads `--no-index` as "index: false".
    values[d.name] = d.type === 'boolean' && d.name.startsWith('no-') ? v === false : v;
  }
  return values;
}

/** How help shows a boolean pair: `--[no-]test`; every other flag as declared. */
export function optionTerm(o: Option): string {
  const d = o.long ? OPTION_DEFS.find((x) => `--${x.name}` === o.long) : undefined;
  return d && isDual(d) ? o.flags.replace('--', '--[no-]') : o.flags;
}

function metavar(d: OptionDef): string {
  if (d.type === 'int') return 'N';
  if (d.type === 'list') return 'LIST';
  if (d.type === 'map') return 'KEY=VALUE';
  return 'VALUE';
}

/** The description without markdown, then the choices and the default when it does not say them. */
function helpDescription(d: OptionDef): string {
  const text = d.description.replace(/`/g, '').replace(/\.$/, '');
  const extra = [
    d.type === 'enum' ? `one of ${d.choices!.join(', ')}` : '',
    defaultShown(d) ? `default: ${defaultShown(d)}` : ''
  ].filter(Boolean);
  return `${text}${extra.length ? `; ${extra.join('; ')}` : ''}.`;
}

function defaultShown(d: OptionDef): string {
  const v = d.default;
  if (d.type === 'boolean') return isDual(d) ? (v ? 'on' : 'off') : '';
  if (/default:/.test(d.description) || v === null || v === '') return '';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object') return '';
  return String(v);
}
