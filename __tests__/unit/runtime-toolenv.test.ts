import { describe, expect, it } from '@jest/globals';
import {
  IndexSettings,
  describeIndexes,
  parsePipConfigList,
  redactUrls
} from '../../src/runtime/pipconfig.js';
import { PinnedTool, pipFailureReason, toolInstallMessage } from '../../src/runtime/toolenv.js';

const NONE: IndexSettings = { indexUrl: '', extraIndexUrl: [], findLinks: [], noIndex: false };
const PEX: PinnedTool = { name: 'pex', version: '2.105.2', option: 'pex' };

describe("pip's configuration, in words", () => {
  it('reads pip config list: files, PIP_* variables (first listed wins), no-index', () => {
    const text = [
      ":env:.find-links='/opt/wheels'",
      ":env:.index-url='https://mirror.example/simple'",
      "global.index-url='https://other.example/simple'",
      "global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'",
      "install.no-index='true'"
    ].join('\n');
    expect(parsePipConfigList(text)).toEqual({
      indexUrl: 'https://mirror.example/simple',
      extraIndexUrl: ['file:///opt/pypi/simple', 'file:///opt/pypi-more/simple'],
      findLinks: ['/opt/wheels'],
      noIndex: true
    });
    expect(parsePipConfigList('')).toEqual(NONE);
  });

  it.each<[string, Partial<IndexSettings>, Partial<IndexSettings>, string]>([
    ['nothing configured: PyPI', {}, {}, 'index https://pypi.org/simple'],
    [
      "pip's configuration",
      {},
      { extraIndexUrl: ['file:///opt/pypi/simple'], findLinks: ['/opt/wheels'] },
      'index https://pypi.org/simple; extra index file:///opt/pypi/simple; find-links /opt/wheels'
    ],
    [
      'the index-url option wins over the configured one; extras add up',
      { indexUrl: 'http://127.0.0.1:9/simple', extraIndexUrl: ['https://b.example/simple'] },
      { indexUrl: 'https://a.example/simple', extraIndexUrl: ['https://c.example/simple'] },
      'index http://127.0.0.1:9/simple; extra index https://c.example/simple, https://b.example/simple'
    ],
    [
      'an extra index that is the index is named once',
      { indexUrl: 'file:///opt/pypi/simple' },
      { extraIndexUrl: ['file:///opt/pypi/simple', 'file:///opt/more/simple'] },
      'index file:///opt/pypi/simple; extra index file:///opt/more/simple'
    ],
    [
      'no-index: the find-links only',
      { noIndex: true, findLinks: ['/wh'] },
      { indexUrl: 'https://a.example/simple' },
      'no index (no-index); find-links /wh'
    ],
    [
      'credentials never shown',
      { indexUrl: 'https://user:s3cret@private.example/simple' },
      {},
      'index https://***@private.example/simple'
    ]
  ])('%s', (_case, opts, config, expected) => {
    expect(describeIndexes({ ...NONE, ...opts }, { ...NONE, ...config })).toBe(expected);
  });

  it('redacts every URL of a text', () => {
    expect(redactUrls("from 'https://u:p@a.example/x' and http://tok@b.example/")).toBe(
      "from 'https://***@a.example/x' and http://***@b.example/"
    );
  });
});

describe('a pinned tool that cannot be installed', () => {
  it.each<[string, string, string]>([
    [
      'the index does not answer',
      [
        "WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused')': /simple/pex/",
        'ERROR: Could not find a version that satisfies the requirement pex==2.105.2 (from versions: none)',
        'ERROR: No matching distribution found for pex==2.105.2'
      ].join('\n'),
      'the index did not answer: Connection refused; no matching distribution for pex==2.105.2'
    ],
    [
      'a name that does not resolve',
      "WARNING: Retrying ... NewConnectionError('...: Failed to establish a new connection: [Errno -2] Name or service not known')",
      'the index did not answer: Name or service not known'
    ],
    [
      'the version is missing',
      'ERROR: Could not find a version that satisfies the requirement pex==0.0.999 (from versions: 0.1.0, 2.105.2)\nERROR: No matching distribution found for pex==0.0.999',
      'no matching distribution for pex==0.0.999'
    ],
    [
      'anything else: the last line, credentials removed',
      'ERROR: HTTP error 401 while getting https://u:p@private.example/simple/pex/',
      'HTTP error 401 while getting https://***@private.example/simple/pex/'
    ]
  ])('%s', (_case, output, reason) => {
    expect(pipFailureReason(output)).toBe(reason);
  });

  it('names the tool, the indexes tried and the option', () => {
    expect(
      toolInstallMessage(
        PEX,
        'index http://127.0.0.1:9/simple',
        'ERROR: No matching distribution found for pex==2.105.2'
      )
    ).toBe(
      'pex: pex==2.105.2 could not be installed from index http://127.0.0.1:9/simple ' +
        '(no matching distribution for pex==2.105.2); set the `pex` option (--pex) to a local pex executable'
    );
  });
});
