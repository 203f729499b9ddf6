import { describe, expect, it } from '@jest/globals';
import { ParsedCli, parseCli, routeArgv } from '../../src/cli/args.js';
import { CLI_COMMANDS } from '../../src/cli/commands.js';
import { cliDefs } from '../../src/cli/flags.js';
import { COMMAND_NAMES, getCommand } from '../../src/commands/index.js';
import { OPTION_DEFS, findDef } from '../../src/config/definitions.js';
import { FORMATS } from '../../src/package/formats/index.js';
import { ConfigError } from '../../src/errors.js';

/** Directories that "exist" for these tests: parsing never looks at the real disk here. */
const DIRS = new Set(['proj', 'p']);
const term = { columns: 80, colour: false, isDirectory: (p: string) => DIRS.has(p) };

function parse(argv: string[]): Extract<ParsedCli, { kind: 'command' }> {
  const r = parseCli(argv, term);
  if (r.kind !== 'command') throw new Error(`expected a command, got output:\n${r.text}`);
  return r;
}

function output(argv: string[], t = term): string {
  const r = parseCli(argv, t);
  if (r.kind !== 'output') throw new Error(`expected help or version, got ${r.command}`);
  return r.text;
}

function usageError(argv: string[]): string {
  try {
    parseCli(argv, term);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('parseCli', () => {
  it.each([
    ['no arguments: run in .', [], 'run', '.', {}],
    ['directory only: run', ['proj'], 'run', 'proj', {}],
    ['a path that does not exist yet: run (the command names it)', ['./new'], 'run', './new', {}],
    ['leading flags: run', ['--no-verify'], 'run', '.', { verify: false }],
    ['command and dir', ['detect', 'proj', '--json'], 'detect', 'proj', { json: true }],
    ['--json before the command', ['--json', 'detect', 'proj'], 'detect', 'proj', { json: true }],
    ['alias all is run', ['all', 'p'], 'run', 'p', {}],
    [
      'list flags joined',
      ['build', 'p', '--python', '3.11', '--python', '3.12,3.13'],
      'build',
      'p',
      { python: '3.11,3.12,3.13' }
    ],
    ['negated boolean', ['verify', 'p', '--no-sensitivity'], 'verify', 'p', { sensitivity: false }],
    [
      '--no-index is a flag of its own',
      ['build', '--no-index'],
      'build',
      '.',
      { 'no-index': true }
    ],
    ['later flag wins', ['build', '--test', '--no-test'], 'build', '.', { test: false }],
    ['short flags', ['build', '-o', 'out', '-j', '2'], 'build', '.', { out: 'out', jobs: '2' }],
    [
      '--flag=value',
      ['package', '--format=zipapp,image'],
      'package',
      '.',
      { format: 'zipapp,image' }
    ]
  ])('%s', (_case, argv, command, dir, values) => {
    const r = parse(argv as string[]);
    expect(r.command).toBe(command);
    expect(r.projectDir).toBe(dir);
    expect(r.layer.values).toEqual(values);
  });

  it.each([
    ['unknown flag', ['build', '--bogus'], "unknown flag '--bogus'"],
    ['flag typo', ['build', '--jbos', '2'], "unknown flag '--jbos' (did you mean '--jobs'?)"],
    [
      "another command's flag",
      ['build', '--format', 'zip'],
      "flag --format does not apply to 'albatross build' (it is read by plan, package, verify, run)"
    ],
    [
      "a typo of another command's flag",
      ['build', '--fromat', 'zip'],
      "unknown flag '--fromat' (did you mean '--format'? it is read by plan, package, verify, run)"
    ],
    [
      'unknown command',
      ['bogus'],
      "unknown command 'bogus'; run 'albatross help' for the commands, or name a project directory that exists"
    ],
    ['command typo', ['biuld', 'proj'], "unknown command 'biuld' (did you mean 'build'?)"],
    [
      'help for an unknown command',
      ['help', 'verfy'],
      "unknown command 'verfy' (did you mean 'verify'?)"
    ],
    [
      'two directories',
      ['build', 'a', 'b'],
      "unexpected argument 'b' (one project directory at most)"
    ],
    ['missing value', ['build', '--out'], 'flag --out needs a value'],
    ['no --no- form of --no-index', ['build', '--no-no-index'], "unknown flag '--no-no-index'"],
    ['an Action-only input', ['report', '--github-token', 'x'], "unknown flag '--github-token'"]
  ])('%s is a usage error naming it', (_case, argv, message) => {
    expect(usageError(argv as string[])).toContain(message);
  });

  it('a first word that is a command wins over a directory of that name; ./NAME is the directory', () => {
    expect(routeArgv(['build'], () => true)).toEqual(['build']);
    expect(routeArgv(['./build'], () => true)).toEqual(['run', './build']);
  });
});

describe('help', () => {
  it('albatross help lists every command with its summary', () => {
    const text = output(['help']);
    expect(output(['--help'])).toBe(text);
    for (const c of CLI_COMMANDS) expect(text).toMatch(new RegExp(`^  ${c.name}\\b`, 'm'));
    expect(text).toMatch(/^ {2}run, all +The whole pipeline/m);
    expect(text).toContain('Exit codes: 0 success');
  });

  it.each(CLI_COMMANDS.map((c) => c.name))(
    '%s: help lists exactly the flags the command reads',
    (name) => {
      const text = output(['help', name]);
      expect(output([name, '--help'])).toBe(text);
      expect(text).toContain(`Usage: albatross ${name}`);
      const listed = [...text.matchAll(/^ {2}(?:-\w, )?(--(?:\[no-\])?[a-z0-9-]+)/gm)].map((m) =>
        m[1].replace('[no-]', '')
      );
      expect(listed.sort()).toEqual([...cliDefs(name).map((d) => `--${d.name}`), '--help'].sort());
    }
  );

  it('shows boolean pairs as --[no-]NAME, --no-index as itself, one-way switches plainly', () => {
    const text = output(['help', 'build']);
    expect(text).toMatch(/^ {2}--\[no-\]test\b/m);
    expect(text).toMatch(/^ {2}--no-index\b/m);
    expect(text).not.toContain('--[no-]no-index');
    expect(text).toMatch(/^ {2}--json\b/m);
    expect(text).toMatch(/^ {2}-o, --out <VALUE>/m);
  });

  it.each([40, 60, 100, 140])('wraps to a terminal %i columns wide', (columns) => {
    const text = output(['help', 'run'], { ...term, columns });
    const widths = text.split('\n').map((l) => l.length);
    expect(Math.max(...widths)).toBeLessThanOrEqual(columns);
    // wide terminals use the room: some line is longer than the next narrower case allows
    if (columns >= 100) expect(Math.max(...widths)).toBeGreaterThan(80);
  });

  it('colours titles and terms only when asked', () => {
    expect(output(['help', 'plan'])).not.toContain('\x1b[');
    expect(output(['help', 'plan'], { ...term, colour: true })).toContain('\x1b[1mUsage:\x1b[22m');
  });

  it('prints the version', () => {
    expect(output(['--version'])).toMatch(/^albatross \d+\.\d+\.\d+/);
  });
});

describe('the command table', () => {
  it('names the same commands as the implementations', () => {
    expect(CLI_COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]).sort()).toEqual(
      [...COMMAND_NAMES].sort()
    );
  });

  it("the Action's `command` input: an unknown one is named, with a did-you-mean", () => {
    expect(() => getCommand('biuld', "input 'command'")).toThrow(
      "input 'command': unknown command 'biuld' (did you mean 'build'?) (expected one of"
    );
  });

  it("format's choices are the format registry's", () => {
    expect([...findDef('format')!.choices!].sort()).toEqual(FORMATS.map((f) => f.kind).sort());
  });

  it('gives every CLI option at least one command that reads it', () => {
    for (const d of OPTION_DEFS.filter((x) => x.sources.cli))
      expect([d.name, d.commands.length > 0]).toEqual([d.name, true]);
  });
});
