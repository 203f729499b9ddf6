import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { expandTestCommand, shellLine } from '../../src/build/testinstall.js';
import { differenceGist, differenceLine } from '../../src/report/terminal.js';
import { counter, elapsed, infoOnce, terminalLogger, warnOnce } from '../../src/runtime/log.js';
import { unifiedDiff } from '../../src/verify/textdiff.js';

/** The terminal logger as a person reads it: lines captured, jest's fake clock injected. */
function capture(heartbeatMs: number): { lines: string[]; tick(ms: number): Promise<void> } & {
  log: ReturnType<typeof terminalLogger>;
} {
  const lines: string[] = [];
  const log = terminalLogger({
    colour: false,
    heartbeatMs,
    write: (l) => lines.push(l),
    now: () => Date.now()
  });
  return {
    log,
    lines,
    tick: async (ms) => {
      await jest.advanceTimersByTimeAsync(ms);
    }
  };
}

describe('heartbeat', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('a long step says it is alive every interval, and stops when it ends', async () => {
    const c = capture(100);
    let finish!: () => void;
    const step = c.log.group('[2/4] wheel cp312', () => new Promise<void>((r) => (finish = r)));
    await c.tick(250);
    expect(c.lines).toEqual([
      '▸ [2/4] wheel cp312 …',
      '… [2/4] wheel cp312 still running (0s)',
      '… [2/4] wheel cp312 still running (0s)'
    ]);
    finish();
    await step;
    await c.tick(1000);
    // The timer was cleared: nothing after the ✓ line.
    expect(c.lines.slice(3)).toEqual(['✓ [2/4] wheel cp312 (0.3 s)']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('counts minutes and seconds as a person would', async () => {
    const c = capture(30_000);
    const step = c.log.group('sdist', () => new Promise<void>((r) => setTimeout(r, 95_000)));
    await c.tick(95_000);
    await step;
    expect(c.lines.filter((l) => l.startsWith('…'))).toEqual([
      '… sdist still running (30s)',
      '… sdist still running (1m00s)',
      '… sdist still running (1m30s)'
    ]);
    expect(elapsed(3_725_000)).toBe('62m05s');
  });

  it('only the innermost open steps beat: a phase with a running step inside is quiet', async () => {
    const c = capture(100);
    const ends: (() => void)[] = [];
    const inner = (name: string): Promise<void> =>
      c.log.group(name, () => new Promise<void>((r) => ends.push(r)));
    const build = c.log.group('build', () => Promise.all([inner('[1/2] a'), inner('[2/2] b')]));
    await c.tick(100);
    expect(c.lines.filter((l) => l.startsWith('…'))).toEqual([
      '… [1/2] a still running (0s)',
      '… [2/2] b still running (0s)'
    ]);
    ends[0]();
    ends[1]();
    await c.tick(0);
    await c.tick(100);
    await build.catch(() => undefined);
    // Both steps ended; the phase is done before its next beat.
    expect(c.lines.filter((l) => l.startsWith('… build'))).toEqual([]);
    expect(c.lines.at(-1)).toMatch(/^✓ build /);
  });

  it('a failing step stops its heartbeat too, and a zero interval never beats', async () => {
    const c = capture(100);
    await expect(c.log.group('x', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(jest.getTimerCount()).toBe(0);
    const quiet = capture(0);
    const step = quiet.log.group('y', () => new Promise<void>((r) => setTimeout(r, 500)));
    await quiet.tick(500);
    await step;
    expect(quiet.lines).toEqual(['▸ y …', '✓ y (0.5 s)']);
  });
});

describe('once and counters', () => {
  it('a key prints once through a logger, at its level', () => {
    const lines: string[] = [];
    const log = terminalLogger({ colour: false, write: (l) => lines.push(l) });
    for (let i = 0; i < 3; i++) infoOnce(log, 'sde:1', 'SOURCE_DATE_EPOCH=1 (from git)');
    infoOnce(log, 'sde:2', 'SOURCE_DATE_EPOCH=2 (from option)');
    warnOnce(log, 'f', 'a.whl: twine W1: x');
    warnOnce(log, 'f', 'b.whl: twine W1: x');
    expect(lines).toEqual([
      'SOURCE_DATE_EPOCH=1 (from git)',
      'SOURCE_DATE_EPOCH=2 (from option)',
      'warning: a.whl: twine W1: x'
    ]);
  });

  it('numbers like steps, and leaves a lone one alone', () => {
    expect(counter(1, 4)).toBe('[2/4] ');
    expect(counter(0, 1)).toBe('');
  });
});

describe('what the terminal shows of a difference', () => {
  it('the first changed pair of lines, not the diff header', () => {
    const detail = `${unifiedDiff('a\nBUILD_TIME = 1\nz\n', 'a\nBUILD_TIME = 2\nz\n')}\n(cause: date/time 1)`;
    const d = {
      member: 'pkg/_stamp.py',
      kind: 'content' as const,
      cause: 'timestamp' as const,
      detail
    };
    expect(differenceGist(d)).toBe('BUILD_TIME = 1 → BUILD_TIME = 2');
    expect(differenceLine(d)).toBe(
      'pkg/_stamp.py: content, likely timestamp: BUILD_TIME = 1 → BUILD_TIME = 2'
    );
    expect(differenceLine(d)).not.toContain('---');
  });

  it('the named cause when the pair is too long to read', () => {
    const long = (c: string): string => `pkg/x.py,sha256=${c.repeat(43)},31`;
    const detail = `${unifiedDiff(long('a'), long('b'))}\n(cause: lists the hashes of differing members: pkg/x.py)`;
    expect(differenceGist({ detail })).toBe('lists the hashes of differing members: pkg/x.py');
  });

  it('a line added or removed, and one-line details as they are', () => {
    expect(differenceGist({ detail: unifiedDiff('a\n', 'a\nb\n') })).toBe('(nothing) → b');
    expect(differenceGist({ detail: 'mode: 0644 → 0600' })).toBe('mode: 0644 → 0600');
  });
});

describe('test-command placeholders', () => {
  it('{python} and {project} expand; the line shown can be pasted back', () => {
    const argv = expandTestCommand("{python} -m pytest '{project}/tests' -k 'not slow'", {
      venvPython: '/w/venv/bin/python',
      project: '/w/src/pkg-1.0'
    });
    expect(argv).toEqual([
      '/w/venv/bin/python',
      '-m',
      'pytest',
      '/w/src/pkg-1.0/tests',
      '-k',
      'not slow'
    ]);
    expect(shellLine(argv)).toBe("/w/venv/bin/python -m pytest /w/src/pkg-1.0/tests -k 'not slow'");
    expect(shellLine(["print('x')", `a'"b`])).toBe(`"print('x')" 'a'\\''"b'`);
  });
});
