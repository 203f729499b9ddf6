/** How a difference's detail reads in markdown: unified diffs fenced as ```diff, the rest preformatted. */
import { cell, escapeHtml } from './format.js';

/**
 * A difference's detail: a unified diff in a ```diff fence (GitHub colours it), what follows
 * the diff (the classifier's note) and anything else preformatted.
 */
export function detailBlock(detail: string, limit: number): string {
  const lines = detail.split('\n');
  if (!/^--- /.test(lines[0]) || !/^\+\+\+ /.test(lines[1] ?? '')) return pre(detail, limit);
  let end = lines.length;
  while (end > 2 && !/^[-+ @\\]/.test(lines[end - 1])) end--;
  const kept: string[] = [];
  let size = 0;
  for (const l of lines.slice(0, end)) {
    if (size + l.length > limit) {
      kept.push('…');
      break;
    }
    kept.push(l);
    size += l.length + 1;
  }
  const diff = kept.join('\n');
  // A fence longer than any run of backticks inside, so the content cannot close it.
  const longest = Math.max(0, ...(diff.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  // The classifier's note reads as a sentence under the diff.
  const rest = lines.slice(end).join('\n').trim();
  const note = rest ? `\n\n${cell(rest.slice(0, limit)).replace(/^\((.*)\)$/, '$1')}` : '';
  return `${fence}diff\n${diff}\n${fence}${note}`;
}

/** The fence of a code block left open at the end of `md`, else null. */
export function openFence(md: string): string | null {
  let open: string | null = null;
  for (const line of md.split('\n')) {
    const m = /^(`{3,})/.exec(line);
    if (!m) continue;
    if (!open) open = m[1];
    else if (m[1].length >= open.length && line.trim() === m[1]) open = null;
  }
  return open;
}

/** Preformatted, HTML-escaped text, cut to its last `limit` characters. */
export function pre(text: string, limit: number): string {
  const cut = text.length > limit ? '…' + text.slice(text.length - limit) : text;
  return `<pre>${escapeHtml(cut)}</pre>`;
}
