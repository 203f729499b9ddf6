import { describe, expect, it } from '@jest/globals';
import { helpText, parseCli } from '../../src/cli/args.js';
import { ConfigError } from '../../src/errors.js';

const COMMANDS = ['detect', 'plan', 'build', 'package', 'verify', 'report', 'run', 'all'];

describe('parseCli', () => {
  it.each([
    ['no arguments: run in .', [], 'run', '.', {}],
    ['directory only: run', ['proj'], 'run', 'proj', {}],
    ['command and dir', ['detect', 'proj', '--json'], 'detect', 'proj', { json: true }],
    [
      'list flags joined',
      ['build', 'p', '--python', '3.11', '--python', '3.12,3.13'],
      'build',
      'p',
      { python: '3.11,3.12,3.13' }
    ],
    ['negated boolean', ['verify', 'p', '--no-sensitivity'], 'verify', 'p', { sensitivity: false }],
    ['short flags', ['build', '-o', 'out', '-j', '2'], 'build', '.', { out: 'out', jobs: '2' }],
    [
      '--flag=value',
      ['package', '--format=zipapp,image'],
      'package',
      '.',
      { format: 'zipapp,image' }
    ]
  ])('%s', (_case, argv, command, dir, values) => {
    const r = parseCli(argv as string[], COMMANDS);
    expect(r.command).toBe(command);
    expect(r.projectDir).toBe(dir);
    expect(r.layer.values).toEqual(values);
  });

  it.each([
    ['unknown flag', ['--bogus'], /unknown flag '--bogus'/],
    ['two directories', ['build', 'a', 'b'], /unexpected argument 'b'/],
    ['contradicting flags', ['--test', '--no-test'], /--test and --no-test contradict/],
    ['missing value', ['build', '--out'], /--out/]
  ])('%s is a usage error naming the flag', (_case, argv, re) => {
    expect(() => parseCli(argv as string[], COMMANDS)).toThrow(ConfigError);
    expect(() => parseCli(argv as string[], COMMANDS)).toThrow(re);
  });

  it('documents every CLI flag in --help', () => {
    const text = helpText(COMMANDS);
    expect(text).toContain('--[no-]sensitivity');
    expect(text).toContain('-o, --out VALUE');
  });
});
