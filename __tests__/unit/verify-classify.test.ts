import { describe, expect, it } from '@jest/globals';
import { exitCodeFor } from '../../src/verify/report.js';
import { classify, classifyAll, tzTokens } from '../../src/verify/classify.js';
import { buildStatement, PREDICATE_TYPE, STATEMENT_TYPE } from '../../src/verify/intoto.js';
import { RawDifference, Reproducibility, SideEnv } from '../../src/verify/model.js';

const clock = 1764032400; // 2025-11-25T01:00:00Z
const A: SideEnv = {
  label: 'first',
  workRoot: '/tmp/v/a/w',
  home: '/root',
  user: 'root',
  hostname: 'vm',
  tz: 'UTC',
  locale: 'C.UTF-8',
  umask: 0o022,
  clock
};
const B: SideEnv = {
  ...A,
  label: 'second',
  workRoot: '/tmp/v/rebuild/x/y/w',
  home: '/tmp/v/home-b',
  user: 'albatross-rebuild',
  hostname: 'rebuild-host',
  clock: clock + 397 * 86400
};
const C: SideEnv = {
  ...A,
  label: 'sensitivity',
  workRoot: '/tmp/v/c/w',
  tz: 'Pacific/Chatham',
  locale: 'C',
  umask: 0o077
};

const text = (a: string, b: string, member = 'pkg/_build.py'): RawDifference => ({
  member,
  kind: 'content',
  detail: 'd',
  a: Buffer.from(a),
  b: Buffer.from(b)
});
const cause = (d: RawDifference, x = A, y = B): string => classify(d, x, y).cause;

describe('cause classification', () => {
  it('recognises an epoch timestamp near the build clock', () => {
    expect(
      cause(
        text(
          `X = 1\nBUILD_TIME = ${clock + 5}.25\n`,
          `X = 1\nBUILD_TIME = ${clock + 397 * 86400 + 9}.5\n`
        )
      )
    ).toBe('timestamp');
  });
  it('recognises __DATE__-style and ISO dates', () => {
    expect(cause(text('built Nov 25 2025\n', 'built Dec 27 2026\n'))).toBe('timestamp');
    expect(cause(text('2025-11-25T01:00:00\n', '2026-12-27T01:00:00\n'))).toBe('timestamp');
  });
  it('recognises a random token', () => {
    expect(
      cause(
        text(
          "TOKEN = '9f86d081884c7d659a2feaa0c55ad015'\n",
          "TOKEN = '3e23e8160039594a33894f6564e1b134'\n"
        )
      )
    ).toBe('randomness');
  });
  it('recognises the build path of a side', () => {
    expect(cause(text("SRC = '/tmp/v/a/w/src'\n", "SRC = '/tmp/v/rebuild/x/y/w/src'\n"))).toBe(
      'build-path'
    );
  });
  it('recognises the user or hostname of the rebuild', () => {
    expect(cause(text("BY = 'root@vm'\n", "BY = 'albatross-rebuild@rebuild-host'\n"))).toBe(
      'hostname-user'
    );
  });
  it('recognises the varied time zone', () => {
    expect(tzTokens('Pacific/Chatham')).toEqual(
      expect.arrayContaining(['+1245', '+12:45', '+1345'])
    );
    expect(cause(text("TZ = ('UTC', 'UTC')\n", "TZ = ('+1245', '+1345')\n"), A, C)).toBe(
      'timezone'
    );
  });
  it('recognises the varied locale', () => {
    expect(cause(text("LOCALE = 'C.UTF-8'\n", "LOCALE = 'C'\n"), A, C)).toBe('locale');
  });
  it('calls a mode difference in group/other bits a umask permission change', () => {
    const d = classify(
      { member: 'pkg/data.txt', kind: 'mode', detail: 'mode: 0644 → 0600', a: 0o644, b: 0o600 },
      A,
      C
    );
    expect(d.cause).toBe('permissions');
    expect(d.detail).toContain('umask');
  });
  it('maps metadata kinds to their causes', () => {
    expect(cause({ member: 'x', kind: 'mtime', detail: '' })).toBe('timestamp');
    expect(cause({ member: '', kind: 'order', detail: '' })).toBe('ordering');
  });
  it('says unknown rather than guessing', () => {
    expect(cause(text('x = 1\n', 'x = 2\n'))).toBe('unknown');
  });
});

describe('in-toto statement', () => {
  it('lists artifacts as subjects and summarises the verdict', () => {
    const r: Reproducibility = {
      reproducible: false,
      sourceDateEpoch: 315532800,
      sensitivityPass: false,
      variations: [
        { name: 'HOME', pass: 'verdict', applied: true, first: '/root', second: '/tmp/h' }
      ],
      artifacts: [
        {
          file: 'p-1.0.tar.gz',
          reproducible: true,
          sha256: ['aa', 'aa'],
          differences: [],
          sensitivities: []
        },
        {
          file: 'p-1.0-py3-none-any.whl',
          reproducible: false,
          sha256: ['bb', 'cc'],
          differences: [{ member: 'p/_b.py', kind: 'content', cause: 'timestamp', detail: '' }],
          sensitivities: []
        }
      ]
    };
    const s = buildStatement(r);
    expect(s._type).toBe(STATEMENT_TYPE);
    expect(s.predicateType).toBe(PREDICATE_TYPE);
    expect(s.subject).toEqual([
      { name: 'p-1.0-py3-none-any.whl', digest: { sha256: 'bb' } },
      { name: 'p-1.0.tar.gz', digest: { sha256: 'aa' } }
    ]);
    expect(s.predicate.verdict).toEqual({ reproducible: false, artifacts: 2, irreproducible: 1 });
    expect(s.predicate.artifacts[0].causes).toEqual({ timestamp: 1 });
  });
});

describe('consequential differences', () => {
  it("gives a wheel's RECORD the cause of the member whose hash it lists", () => {
    const rec = (h: string): Buffer =>
      Buffer.from(
        `p/__init__.py,sha256=abc,10\np/_b.py,sha256=${h},20\np-1.0.dist-info/RECORD,,\n`
      );
    const raws: RawDifference[] = [
      text(`T = ${clock}\n`, `T = ${clock + 99}\n`, 'p/_b.py'),
      {
        member: 'p-1.0.dist-info/RECORD',
        kind: 'content',
        detail: 'd',
        a: rec('9f86d081884c7d659a2feaa0c55ad015'),
        b: rec('3e23e8160039594a33894f6564e1b134')
      }
    ];
    const ds = classifyAll(raws, A, B);
    expect(ds.map((d) => d.cause)).toEqual(['timestamp', 'timestamp']);
    expect(ds[1].detail).toContain('p/_b.py');
  });
});

describe('consequential differences in a PEX', () => {
  const W = '.deps/app-1.0-py3-none-any.whl/';
  const json = (member: string, a: unknown, b: unknown): RawDifference => ({
    member,
    kind: 'content',
    detail: 'd',
    a: Buffer.from(JSON.stringify(a)),
    b: Buffer.from(JSON.stringify(b))
  });
  const info = (fp: string, pexHash: string, extra: Record<string, unknown> = {}) => ({
    distributions: { 'app-1.0-py3-none-any.whl': fp, 'six-1.17.0-py2.py3-none-any.whl': 'aa11' },
    pex_hash: pexHash,
    code_hash: 'da39a3ee',
    entry_point: 'app.cli:main',
    ...extra
  });
  const member = text(`T = ${clock}\n`, `T = ${clock + 99}\n`, `${W}app/_t.py`);

  it('PEX-INFO and .layout.json follow the wheel member whose hash they hold', () => {
    const raws = [
      member,
      json(
        `${W}.layout.json`,
        { fingerprint: 'e654e99fdc05', stash_dir: '.prefix' },
        { fingerprint: '3e782c90308a', stash_dir: '.prefix' }
      ),
      json('PEX-INFO', info('e654e99fdc05', '9eca6c9582cf'), info('3e782c90308a', '5277cd8a9621')),
      {
        member: `${W}app-1.0.dist-info/RECORD`,
        kind: 'content' as const,
        detail: 'd',
        a: Buffer.from('app/_t.py,sha256=TBs88TWBRnzc,10\n'),
        b: Buffer.from('app/_t.py,sha256=iUyb26bLwMxb,40\n')
      }
    ];
    const ds = classifyAll(raws, A, B);
    expect(ds.map((d) => d.cause)).toEqual(['timestamp', 'timestamp', 'timestamp', 'timestamp']);
    expect(ds[1].detail).toContain(`${W}app/_t.py`);
    expect(ds[2].detail).toContain(`${W}app/_t.py`);
    expect(ds[3].detail).toContain(`${W}app/_t.py`);
    // Without the member, the same hashes are what they look like: unexplained tokens.
    const alone = classifyAll(raws.slice(1, 3), A, B);
    expect(alone.map((d) => d.cause)).toEqual(['randomness', 'randomness']);
  });

  it('a real PEX-INFO change (not a hash) keeps its own cause', () => {
    const raws = [
      member,
      json(
        'PEX-INFO',
        info('e654e99fdc05', '9eca6c9582cf', { interpreter_constraints: ['CPython>=3.8'] }),
        info('3e782c90308a', '5277cd8a9621', { interpreter_constraints: ['CPython>=3.9'] })
      )
    ];
    expect(classifyAll(raws, A, B)[1].cause).toBe('randomness');
  });

  it("the wheel's member times pex records are timestamps", () => {
    const whl = (t: number[]) => ({
      entries: [['app/_t.py', t, 2175008768]],
      filename: 'app-1.0-py3-none-any.whl'
    });
    const d = json(
      `${W}app-1.0.pex-info/original-whl-info.json`,
      whl([2026, 12, 1, 21, 44, 2]),
      whl([2026, 12, 1, 22, 3, 10])
    );
    expect(classify(d, A, B)).toMatchObject({ cause: 'timestamp' });
    const renamed = json(
      `${W}app-1.0.pex-info/original-whl-info.json`,
      whl([1980, 1, 1, 0, 0, 0]),
      {
        ...whl([1980, 1, 1, 0, 0, 0]),
        filename: 'app-1.1-py3-none-any.whl'
      }
    );
    expect(classify(renamed, A, B).cause).not.toBe('timestamp');
  });
});

describe('exit code', () => {
  it('is 1 only when irreproducible and fail-on-irreproducible is on', () => {
    expect(exitCodeFor(true, true)).toBe(0);
    expect(exitCodeFor(false, true)).toBe(1);
    expect(exitCodeFor(false, false)).toBe(0);
  });
});
