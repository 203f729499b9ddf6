/**
 * A compact unified diff (LCS on lines after trimming the common head and tail) and a hex
 * context for binaries. Enough to show a reader what changed; not a general diff tool.
 */

/** Beyond this many lines on either side (after trimming) the diff is summarised. */
const MAX_LINES = 2000;

export interface LineChange {
  /** Lines only in A / only in B, in order. */
  removed: string[];
  added: string[];
}

/** Looks like text: valid UTF-8 without NUL bytes. */
export function isText(buf: Buffer): boolean {
  if (buf.includes(0)) return false;
  return !buf.toString('utf8').includes('\ufffd');
}

type Op = { t: ' ' | '-' | '+'; line: string; ai: number; bi: number };

function diffOps(a: string[], b: string[]): Op[] | null {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tailN = 0;
  while (
    tailN < a.length - head &&
    tailN < b.length - head &&
    a[a.length - 1 - tailN] === b[b.length - 1 - tailN]
  )
    tailN++;
  const am = a.slice(head, a.length - tailN);
  const bm = b.slice(head, b.length - tailN);
  if (am.length > MAX_LINES || bm.length > MAX_LINES) return null;
  // LCS table over the middle part only.
  const n = am.length;
  const m = bm.length;
  const dp: Uint32Array[] = [];
  for (let i = 0; i <= n; i++) dp.push(new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      dp[i][j] = am[i] === bm[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const ops: Op[] = [];
  for (let i = 0; i < head; i++) ops.push({ t: ' ', line: a[i], ai: i, bi: i });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      ops.push({ t: ' ', line: am[i], ai: head + i, bi: head + j });
      i++;
      j++;
    } else if (i < n && (j >= m || dp[i + 1][j] >= dp[i][j + 1])) {
      ops.push({ t: '-', line: am[i], ai: head + i, bi: head + j });
      i++;
    } else {
      ops.push({ t: '+', line: bm[j], ai: head + i, bi: head + j });
      j++;
    }
  }
  for (let k = 0; k < tailN; k++)
    ops.push({
      t: ' ',
      line: a[a.length - tailN + k],
      ai: a.length - tailN + k,
      bi: b.length - tailN + k
    });
  return ops;
}

/** The lines that differ, for the cause classifier. */
export function changedLines(a: string, b: string): LineChange {
  const ops = diffOps(a.split('\n'), b.split('\n'));
  if (!ops) return { removed: a.split('\n'), added: b.split('\n') };
  return {
    removed: ops.filter((o) => o.t === '-').map((o) => o.line),
    added: ops.filter((o) => o.t === '+').map((o) => o.line)
  };
}

/** A unified diff with `context` lines around each change, capped at `maxOut` characters. */
export function unifiedDiff(
  a: string,
  b: string,
  labelA = 'first',
  labelB = 'second',
  context = 3,
  maxOut = 4000
): string {
  const al = a.split('\n');
  const bl = b.split('\n');
  const ops = diffOps(al, bl);
  if (!ops) return `(text too long to diff: ${al.length} vs ${bl.length} lines)`;
  const out: string[] = [`--- ${labelA}`, `+++ ${labelB}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k].t === ' ') {
      k++;
      continue;
    }
    // Extend a hunk while changes are within 2*context of each other.
    const start = Math.max(0, k - context);
    let end = k;
    let last = k;
    while (end < ops.length) {
      if (ops[end].t !== ' ') last = end;
      else if (end - last > 2 * context) break;
      end++;
    }
    end = Math.min(ops.length, last + context + 1);
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.t !== '+').length;
    const bCount = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${hunk[0].ai + 1},${aCount} +${hunk[0].bi + 1},${bCount} @@`);
    for (const o of hunk) out.push(`${o.t}${o.line}`);
    k = end;
  }
  const text = out.join('\n');
  return text.length > maxOut ? text.slice(0, maxOut) + '\n… (diff truncated)' : text;
}

/** First differing offset and `width` bytes of hex around it on each side. */
export function hexContext(a: Buffer, b: Buffer, width = 16): { offset: number; text: string } {
  let off = 0;
  const n = Math.min(a.length, b.length);
  while (off < n && a[off] === b[off]) off++;
  const from = Math.max(0, off - (off % width) - width);
  const show = (buf: Buffer): string =>
    buf
      .subarray(from, from + 3 * width)
      .toString('hex')
      .replace(/(..)/g, '$1 ')
      .trim();
  return {
    offset: off,
    text: `sizes ${a.length} vs ${b.length}; first difference at byte ${off}\n  first:  @${from} ${show(a)}\n  second: @${from} ${show(b)}`
  };
}
