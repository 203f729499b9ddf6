import { describe, expect, it } from '@jest/globals';
import { errorJson } from '../../src/cli/failure.js';
import { highlight } from '../../src/cli/highlight.js';
import { ConfigError, FailureError, NothingToDoError } from '../../src/errors.js';
import { colourEnabled, painter } from '../../src/runtime/colour.js';

describe('colourEnabled', () => {
  it.each([
    ['a terminal', true, {}, true],
    ['a pipe', false, {}, false],
    ['a dumb terminal', true, { TERM: 'dumb' }, false],
    ['NO_COLOR on a terminal', true, { NO_COLOR: '1' }, false],
    ['an empty NO_COLOR', true, { NO_COLOR: '' }, true],
    ['FORCE_COLOR on a pipe', false, { FORCE_COLOR: '1' }, true],
    ['FORCE_COLOR=0 on a terminal', true, { FORCE_COLOR: '0' }, false],
    ['FORCE_COLOR=false on a terminal', true, { FORCE_COLOR: 'false' }, false],
    ['FORCE_COLOR over NO_COLOR (as Node)', false, { FORCE_COLOR: '1', NO_COLOR: '1' }, true]
  ])('%s', (_case, isTTY, env, want) => {
    expect(colourEnabled({ isTTY }, env as NodeJS.ProcessEnv)).toBe(want);
  });
});

describe('highlight', () => {
  const table = [
    'greeter 1.2.0: ✗ 1 failure · 3 artifacts · ❌ not reproducible',
    '',
    'FILE           VERDICT           TEST',
    '─────────────  ────────────────  ──────',
    'a.tar.gz       reproducible      passed',
    'b.whl          NOT reproducible  failed',
    '! 1 wheel was not repaired'
  ].join('\n');
  // Markers instead of escape codes, so the expectation reads.
  const mark = (style: string, text: string): string => `<${style}>${text}</${style}>`;

  it('marks headers, rules, verdicts and notes', () => {
    expect(highlight(table, mark).split('\n')).toEqual([
      'greeter 1.2.0: <red>✗</red> 1 failure · 3 artifacts · <red>❌</red> <red>not reproducible</red>',
      '',
      '<bold>FILE           VERDICT           TEST</bold>',
      '<dim>─────────────  ────────────────  ──────</dim>',
      'a.tar.gz       <green>reproducible</green>      <green>passed</green>',
      'b.whl          <red>NOT reproducible</red>  <red>failed</red>',
      '<yellow>! 1 wheel was not repaired</yellow>'
    ]);
  });

  it('bolds an upper-case heading, leaves the rest of its line', () => {
    expect(highlight('REPRODUCIBILITY: 1/2 artifacts', mark)).toBe(
      '<bold>REPRODUCIBILITY</bold>: 1/2 artifacts'
    );
  });

  it('changes nothing when colour is off', () => {
    expect(highlight(table, painter(false))).toBe(table);
  });
});

describe('errorJson', () => {
  it.each([
    [new ConfigError('flag --jobs: expected a non-negative integer'), 2, 'ConfigError'],
    [new FailureError('the build failed'), 1, 'FailureError'],
    [new NothingToDoError('nothing'), 3, 'NothingToDoError'],
    [new Error('boom'), 1, 'Error']
  ])('%s', (e, exitCode, type) => {
    expect(errorJson(e)).toEqual({ error: { message: e.message, exitCode, type } });
    expect(errorJson(e, true).error.stack).toContain(e.message);
  });
});
