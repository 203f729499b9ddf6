import { describe, expect, it } from '@jest/globals';
import { InspectionFailed, failingFindings, findingLine } from '../../src/build/inspect/index.js';
import { indexDescription, toolPython } from '../../src/build/inspect/install.js';
import {
  parseAbi3auditReport,
  parseCheckWheelContents,
  parseTwineCheck
} from '../../src/build/inspect/parse.js';
import {
  abi3auditArgv,
  checkWheelContentsArgv,
  pinnedRequirements,
  toolsFor,
  twineArgv
} from '../../src/build/inspect/tools.js';
import { Manifest, InspectionFinding } from '../../src/manifest/model.js';
import { PythonInstall } from '../../src/runtime/python.js';
import { renderJobSummary } from '../../src/report/markdown.js';
import { renderManifestTable } from '../../src/report/terminal.js';
import { inspectionStatus } from '../../src/report/inspection.js';
import { loadSchemas } from '../helpers/schemas.js';

/** Outputs below are what the pinned releases printed for the fixtures under fixtures/inspect-*. */
const pad = (s: string): string => s + ' '.repeat(40);

describe('which tools inspect which artifact', () => {
  it.each([
    ['demo-1.0.tar.gz', ['twine']],
    ['demo-1.0-py3-none-any.whl', ['twine', 'check-wheel-contents']],
    ['demo-1.0-cp312-cp312-manylinux_2_28_x86_64.whl', ['twine', 'check-wheel-contents']],
    [
      'demo-1.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      ['twine', 'check-wheel-contents', 'abi3audit']
    ]
  ])('%s → %j', (file, tools) => {
    expect(toolsFor(file)).toEqual(tools);
  });

  it('pins every tool to one exact version', () => {
    expect(pinnedRequirements()).toEqual([
      'twine==7.0.0',
      'check-wheel-contents==0.6.3',
      'abi3audit==0.0.26'
    ]);
  });
});

describe('argv', () => {
  const py = ['/env/bin/python', '-m', 'x'];
  it.each([
    ['twine', twineArgv(py, '/w/a.whl'), [...py, '--no-color', 'check', '--strict', '/w/a.whl']],
    [
      'twine from its option',
      twineArgv(['/opt/twine'], '/w/a.tar.gz'),
      ['/opt/twine', '--no-color', 'check', '--strict', '/w/a.tar.gz']
    ],
    ['check-wheel-contents', checkWheelContentsArgv(py, '/w/a.whl'), [...py, '/w/a.whl']],
    [
      'abi3audit',
      abi3auditArgv(py, '/w/a.whl', '/w/a.whl.json'),
      [...py, '--strict', '--report', '--output', '/w/a.whl.json', '/w/a.whl']
    ]
  ])('%s', (_, argv, expected) => {
    expect(argv).toEqual(expected);
  });
});

describe('twine check --strict output', () => {
  it.each<[string, string, number, Partial<InspectionFinding>[]]>([
    ['passed', 'Checking demo-1.0-py3-none-any.whl: PASSED\n', 0, []],
    [
      'invalid reStructuredText (blank lines inside the block)',
      [
        'Checking inspect_bad_readme-1.0.0-py3-none-any.whl: FAILED',
        pad(
          'ERROR    `long_description` has syntax errors in markup and would not be rendered on PyPI.'
        ),
        pad('         line 6: Error: Unknown directive type "no-such-directive".'),
        '',
        pad('         .. no-such-directive::'),
        '',
        pad('            So ``twine check --strict`` fails it.'),
        ''
      ].join('\n'),
      1,
      [
        {
          code: 'long_description',
          level: 'error',
          message:
            '`long_description` has syntax errors in markup and would not be rendered on PyPI.\nline 6: Error: Unknown directive type "no-such-directive".\n.. no-such-directive::\nSo ``twine check --strict`` fails it.'
        }
      ]
    ],
    [
      'warnings (which --strict fails) keep their level',
      [
        'Checking nodesc-1.0-py3-none-any.whl: FAILED due to warnings',
        'WARNING  `long_description_content_type` missing. defaulting to `text/x-rst`.',
        'WARNING  `long_description` missing.',
        ''
      ].join('\n'),
      1,
      [
        { code: 'long_description_content_type', level: 'warning' },
        { code: 'long_description', level: 'warning', message: '`long_description` missing.' }
      ]
    ],
    [
      'a crash',
      'Checking bad-1.0-py3-none-any.whl:Traceback (most recent call last):\n  File "x", line 1\nzipfile.BadZipFile: File is not a zip file\n',
      1,
      [
        {
          code: 'failed',
          level: 'error',
          message: 'twine exited with code 1: zipfile.BadZipFile: File is not a zip file'
        }
      ]
    ]
  ])('%s', (_, output, code, expected) => {
    const got = parseTwineCheck(output, code);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(got[i]).toMatchObject({ tool: 'twine', ...e }));
  });
});

describe('check-wheel-contents output', () => {
  it.each<[string, string, number, Partial<InspectionFinding>[]]>([
    ['clean', 'inspect_abi3_clean-1.0.0-cp39-abi3-linux_x86_64.whl: OK\n', 0, []],
    [
      'a top-level tests package (W005) beside the package (W009)',
      [
        'inspect_stray_tests-1.0.0-py3-none-any.whl: W005: Wheel contains common toplevel name in library:',
        '  tests/',
        'inspect_stray_tests-1.0.0-py3-none-any.whl: W009: Wheel contains multiple toplevel library entries:',
        '  inspect_stray/',
        '  tests/',
        ''
      ].join('\n'),
      1,
      [
        {
          code: 'W005',
          level: 'warning',
          message: 'Wheel contains common toplevel name in library: tests/'
        },
        {
          code: 'W009',
          level: 'warning',
          message: 'Wheel contains multiple toplevel library entries: inspect_stray/, tests/'
        }
      ]
    ],
    [
      'its configuration is invalid',
      "Usage: python -m check_wheel_contents [OPTIONS] [WHEEL]...\nTry 'python -m check_wheel_contents --help' for help.\n\nError: pyproject.toml: 1 validation error for Configuration\nselect\n  Value error, Unknown/invalid check prefix: 'X999'\n",
      2,
      [
        {
          code: 'failed',
          level: 'error',
          message:
            'check-wheel-contents exited with code 2: Error: pyproject.toml: 1 validation error for Configuration'
        }
      ]
    ]
  ])('%s', (_, output, code, expected) => {
    const got = parseCheckWheelContents(output, code);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) =>
      expect(got[i]).toMatchObject({ tool: 'check-wheel-contents', ...e })
    );
  });
});

describe('abi3audit report', () => {
  const report = (result: object): string =>
    JSON.stringify({
      specs: { 'x.whl': { kind: 'wheel', wheel: [{ name: 'ext.abi3.so', result }] } }
    });
  it.each<[string, string | null, number, Partial<InspectionFinding>[]]>([
    [
      'clean',
      report({ is_abi3: true, baseline: '3.9', non_abi3_symbols: [], future_abi3_objects: {} }),
      0,
      []
    ],
    [
      'a symbol outside the stable ABI',
      report({
        is_abi3: false,
        baseline: '3.9',
        non_abi3_symbols: ['_Py_HashBytes'],
        future_abi3_objects: {}
      }),
      1,
      [
        {
          code: 'non-abi3-symbol',
          message: 'ext.abi3.so uses _Py_HashBytes, which is not in the stable ABI'
        }
      ]
    ],
    [
      'symbols newer than the tag, sorted',
      report({
        is_abi3: true,
        baseline: '3.9',
        computed: '3.13',
        non_abi3_symbols: [],
        future_abi3_objects: { PyObject_GetOptionalAttr: '3.13', PyUnicode_AsUTF8AndSize: '3.10' }
      }),
      1,
      [
        {
          code: 'abi3-version',
          message:
            'ext.abi3.so uses PyObject_GetOptionalAttr, in the stable ABI only from Python 3.13, but the wheel is tagged abi3 for Python 3.9'
        },
        {
          code: 'abi3-version',
          message:
            'ext.abi3.so uses PyUnicode_AsUTF8AndSize, in the stable ABI only from Python 3.10, but the wheel is tagged abi3 for Python 3.9'
        }
      ]
    ],
    [
      'no report (a crash)',
      null,
      1,
      [
        {
          code: 'failed',
          message: 'abi3audit exited with code 1: BadZipFile: File is not a zip file'
        }
      ]
    ]
  ])('%s', (_, json, code, expected) => {
    const got = parseAbi3auditReport(json, '│ trace │\nBadZipFile: File is not a zip file\n', code);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) =>
      expect(got[i]).toMatchObject({ tool: 'abi3audit', level: 'error', ...e })
    );
  });
});

describe('fail-on-inspection', () => {
  const err: InspectionFinding = {
    tool: 'twine',
    code: 'long_description',
    message: 'm',
    level: 'error'
  };
  const warn: InspectionFinding = {
    tool: 'check-wheel-contents',
    code: 'W005',
    message: 'Wheel contains common toplevel name in library: tests/',
    level: 'warning'
  };
  it.each<['error' | 'warning' | 'never', InspectionFinding[]]>([
    ['error', [err]],
    ['warning', [err, warn]],
    ['never', []]
  ])('%s', (policy, expected) => {
    expect(failingFindings([err, warn], policy)).toEqual(expected);
  });

  it('names the first failing finding and keeps all of them in the log', () => {
    const e = new InspectionFailed([err, warn], [err, warn]);
    expect(e.message).toBe('inspection failed: twine long_description: m (and 1 more)');
    expect(e.log).toBe(
      'error: twine long_description: m\nwarning: check-wheel-contents W005: Wheel contains common toplevel name in library: tests/\n'
    );
    expect(findingLine({ ...err, message: 'first\nsecond' })).toBe('twine long_description: first');
  });
});

describe('where the tools come from', () => {
  it.each([
    [{ indexUrl: '', extraIndexUrl: [], findLinks: [], noIndex: false }, "pip's configured index"],
    [
      {
        indexUrl: 'https://corp/simple',
        extraIndexUrl: ['file:///opt/pypi/simple'],
        findLinks: ['/wh'],
        noIndex: false
      },
      'https://corp/simple, file:///opt/pypi/simple and find-links /wh'
    ],
    [
      { indexUrl: 'https://x', extraIndexUrl: [], findLinks: ['/wh'], noIndex: true },
      'find-links /wh only (no-index)'
    ]
  ])('%# → %s', (opts, expected) => {
    expect(indexDescription(opts)).toBe(expected);
  });

  it('hosts them in the newest Python 3.10+', () => {
    const py = (version: string): PythonInstall => ({
      version,
      full: `${version}.0`,
      executable: `/py${version}`,
      source: 'pyenv'
    });
    expect(toolPython([py('3.9'), py('3.12'), py('3.13')])?.version).toBe('3.13');
    expect(toolPython([py('3.8'), py('3.9')])).toBeUndefined();
  });
});

describe('reports', () => {
  const manifest: Manifest = {
    schema: 1,
    tool: { name: 'albatross', version: '0' },
    project: { name: 'inspect-stray-tests', version: '1.0.0' },
    artifacts: [
      {
        file: 'inspect_stray_tests-1.0.0-py3-none-any.whl',
        kind: 'wheel',
        sha256: 'a'.repeat(64),
        size: 1500,
        platformTag: 'any',
        python: '3.12',
        inspection: [
          {
            tool: 'check-wheel-contents',
            code: 'W005',
            message: 'Wheel contains common toplevel name in library: tests/',
            level: 'warning'
          }
        ]
      },
      {
        file: 'inspect_stray_tests-1.0.0.tar.gz',
        kind: 'sdist',
        sha256: 'b'.repeat(64),
        size: 1200,
        inspection: []
      }
    ],
    failures: [],
    phases: []
  };

  it.each([
    [undefined, null],
    [[], 'clean'],
    [[manifest.artifacts[0].inspection![0]], '1 warning'],
    [
      [
        { tool: 'twine', code: 'x', message: 'm', level: 'error' },
        { tool: 'twine', code: 'y', message: 'm', level: 'error' },
        manifest.artifacts[0].inspection![0]
      ],
      '2 errors, 1 warning'
    ]
  ] as [InspectionFinding[] | undefined, string | null][])('status %# is %s', (i, s) => {
    expect(inspectionStatus({ inspection: i })).toBe(s);
  });

  it('the manifest schema describes the findings', async () => {
    const check = await loadSchemas();
    expect(check('manifest', manifest)).toEqual([]);
    const bad = structuredClone(manifest);
    bad.artifacts[0].inspection![0].level = 'info' as 'warning';
    expect(check('manifest', bad)).toEqual([
      '/artifacts/0/inspection/0/level must be equal to one of the allowed values'
    ]);
  });

  it('the terminal table has an inspection column and lists each finding', () => {
    const text = renderManifestTable(manifest);
    expect(text).toMatch(/inspect_stray_tests-1\.0\.0-py3-none-any\.whl\s.*\s1 warning$/m);
    expect(text).toMatch(/inspect_stray_tests-1\.0\.0\.tar\.gz\s.*\sclean$/m);
    expect(text).toContain(
      '! inspect_stray_tests-1.0.0-py3-none-any.whl: check-wheel-contents W005 (warning): Wheel contains common toplevel name in library: tests/'
    );
  });

  it('leaves the column out when nothing was inspected (inspect = false, older manifests)', () => {
    const plain: Manifest = {
      ...manifest,
      artifacts: manifest.artifacts.map(({ inspection: _, ...a }) => a)
    };
    expect(renderManifestTable(plain)).not.toContain('INSPECTION');
    const md = renderJobSummary({ dir: '', label: 'local', manifest: plain, repro: null });
    expect(md).toContain('| sha256 | Test |\n');
    expect(md).not.toContain('Inspection');
  });

  it('the job summary has an inspection column and a table of findings', () => {
    const md = renderJobSummary({ dir: '', label: 'local', manifest, repro: null });
    expect(md).toContain('| sha256 | Test | Inspection |');
    expect(md).toMatch(
      /\| inspect&#95;stray&#95;tests-1\.0\.0-py3-none-any\.whl \|.*\| ⚠️ 1 warning \|/
    );
    expect(md).toContain('| ✅ clean |');
    expect(md).toContain(
      '| inspect&#95;stray&#95;tests-1.0.0-py3-none-any.whl | check-wheel-contents | W005 | ⚠️ warning | Wheel contains common toplevel name in library: tests/ |'
    );
  });
});
