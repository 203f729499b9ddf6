import { describe, expect, it } from '@jest/globals';
import { PexArgs, pexArgv, pexPlatforms } from '../../src/package/pex.js';

const PEX = ['/venv/bin/python', '-m', 'pex'];
const BASE: PexArgs = {
  wheels: ['/out/app-1.0-py3-none-any.whl', '/wh/six-1.17.0-py2.py3-none-any.whl'],
  requirement: 'app==1.0',
  entry: { script: 'app', module: 'app.cli', attr: 'main' },
  requiresPython: '>=3.9, <4',
  python: '/py/3.11/bin/python3.11',
  platforms: [],
  shebang: '/usr/bin/env python3',
  venv: false,
  output: '/out/app-1.0.pex'
};
/** What every PEX build passes: no index, the wheels handed over, reproducible output. */
const HEAD = [
  ...PEX,
  '--no-pypi',
  '--pre-resolved-dist',
  '/out/app-1.0-py3-none-any.whl',
  '--pre-resolved-dist',
  '/wh/six-1.17.0-py2.py3-none-any.whl',
  '--no-build',
  '--no-compile',
  '--no-use-system-time',
  '--layout',
  'zipapp',
  '--entry-point',
  'app.cli:main'
];
const TAIL = ['--output-file', '/out/app-1.0.pex', 'app==1.0'];

describe('pex argv (pex 2.x flags)', () => {
  it.each<[string, Partial<PexArgs>, string[]]>([
    [
      'pure: constraints from requires-python, the chosen interpreter, the shebang',
      {},
      [
        '--interpreter-constraint',
        'CPython>=3.9,<4',
        '--python',
        '/py/3.11/bin/python3.11',
        '--python-shebang',
        '/usr/bin/env python3'
      ]
    ],
    [
      'no requires-python, a shebang given with #!',
      { requiresPython: null, shebang: '#!/usr/bin/python3.11 ' },
      ['--python', '/py/3.11/bin/python3.11', '--python-shebang', '/usr/bin/python3.11']
    ],
    [
      'venv mode, no shebang: pex chooses',
      { venv: true, shebang: ' ' },
      [
        '--interpreter-constraint',
        'CPython>=3.9,<4',
        '--python',
        '/py/3.11/bin/python3.11',
        '--venv'
      ]
    ],
    [
      'native wheels: platforms instead of an interpreter',
      { platforms: ['manylinux_2_17_x86_64-cp-311-cp311'] },
      [
        '--interpreter-constraint',
        'CPython>=3.9,<4',
        '--platform',
        'manylinux_2_17_x86_64-cp-311-cp311',
        '--python-shebang',
        '/usr/bin/env python3'
      ]
    ]
  ])('%s', (_case, over, middle) => {
    const argv = pexArgv(PEX, { ...BASE, ...over });
    expect(argv).toEqual([...HEAD, ...middle, ...TAIL]);
    // Never a flag that reaches the network or downloads an interpreter.
    expect(argv.filter((a) => /^--(scie|index|find-links|pypi$)/.test(a))).toEqual([]);
  });

  it.each<[string[], string[], string, string[]]>([
    [['any'], ['none'], '3.11', []],
    [['manylinux_2_17_x86_64'], ['abi3'], '3.11', ['manylinux_2_17_x86_64-cp-311-cp311']],
    [['manylinux_2_28_aarch64'], ['cp312'], '3.12', ['manylinux_2_28_aarch64-cp-312-cp312']],
    [
      ['manylinux_2_17_x86_64', 'manylinux2014_x86_64'],
      ['none'],
      '3.10',
      ['manylinux_2_17_x86_64-cp-310-cp310', 'manylinux2014_x86_64-cp-310-cp310']
    ]
  ])('platforms of %j %j for %s', (platforms, abis, py, expected) => {
    expect(pexPlatforms(platforms, abis, py)).toEqual(expected);
  });
});
