import { describe, expect, it } from '@jest/globals';
import { isWheelName, normalizeName, parseWheelName } from '../../src/runtime/wheelname.js';

describe('wheel file names (PEP 427)', () => {
  it.each([
    [
      'plain',
      'six-1.17.0-py3-none-any.whl',
      { name: 'six', version: '1.17.0', pythonTags: ['py3'], abiTags: ['none'] }
    ],
    [
      'a path (either separator) keeps only the file name',
      'C:\\w\\dist/six-1.17.0-py3-none-any.whl',
      { file: 'six-1.17.0-py3-none-any.whl', name: 'six' }
    ],
    [
      'build tag',
      'demo-2.0-1-cp311-cp311-linux_x86_64.whl',
      { name: 'demo', version: '2.0', build: '1', platformTags: ['linux_x86_64'] }
    ],
    ['build tag with a suffix', 'demo-2.0-12abc-py3-none-any.whl', { build: '12abc' }],
    [
      'compressed tag sets',
      'a-2.0-py2.py3-cp311.abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      {
        pythonTags: ['py2', 'py3'],
        abiTags: ['cp311', 'abi3'],
        platformTags: ['manylinux_2_17_x86_64', 'manylinux2014_x86_64']
      }
    ],
    ['upper case and underscores', 'Foo_Bar-1.0-py3-none-any.whl', { name: 'foo-bar' }],
    ['dotted name', 'zope.interface-6.0-py3-none-any.whl', { name: 'zope-interface' }],
    ['runs of separators', 'A._B-1-py3-none-any.whl', { name: 'a-b' }],
    ['local version and epoch', 'x-1!2.0+local.1-py3-none-any.whl', { version: '1!2.0+local.1' }]
  ])('parses %s', (_what, file, want) => {
    const w = parseWheelName(file);
    expect(w).toMatchObject({ file: file.replace(/^.*[\\/]/, ''), ...want });
    expect(isWheelName(file)).toBe(true);
  });

  it('has no build field without a build tag', () => {
    expect(parseWheelName('six-1.17.0-py3-none-any.whl')).toEqual({
      file: 'six-1.17.0-py3-none-any.whl',
      name: 'six',
      version: '1.17.0',
      pythonTags: ['py3'],
      abiTags: ['none'],
      platformTags: ['any']
    });
  });

  it.each([
    ['not a .whl', 'six-1.17.0.tar.gz'],
    ['upper-case extension', 'six-1.17.0-py3-none-any.WHL'],
    ['too few parts', 'six-1.17.0-none-any.whl'],
    ['no parts at all', 'nope.whl'],
    ['too many parts', 'a-b-1.0-2-py3-none-any.whl'],
    ['a dash in the name', 'my-pkg-1.0-py3-none-any.whl'],
    ['build tag not starting with a digit', 'demo-2.0-abc-py3-none-any.whl'],
    ['version not starting with a digit', 'demo-abc-py3-none-any.whl'],
    ['empty name', '-1.0-py3-none-any.whl'],
    ['name ending in a separator', 'demo_-1.0-py3-none-any.whl'],
    ['empty tag in a set', 'demo-1.0-py3..py2-none-any.whl'],
    ['empty platform', 'demo-1.0-py3-none-.whl'],
    ['characters no tag has', 'demo-1.0-py3-none-any+x.whl'],
    ['a cache metadata file', 'albatross-cache.json']
  ])('rejects %s', (_what, file) => {
    expect(parseWheelName(file)).toBeNull();
    expect(isWheelName(file)).toBe(false);
  });

  it.each([
    ['Foo_Bar', 'foo-bar'],
    ['zope.interface', 'zope-interface'],
    ['A--B__C..d', 'a-b-c-d'],
    ['simple', 'simple']
  ])('normalises %s to %s (PEP 503)', (raw, want) => {
    expect(normalizeName(raw)).toBe(want);
  });
});
