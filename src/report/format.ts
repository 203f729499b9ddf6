/** Small, pure formatting helpers shared by the markdown and terminal renderers. */

/** Escapes text for HTML and for a GitHub markdown table cell (`|` would split the cell). */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A table cell: HTML-escaped, pipes and newlines neutralised, markdown emphasis kept literal. */
export function cell(s: string | number | null | undefined): string {
  if (s === null || s === undefined || s === '') return '–';
  return escapeHtml(String(s))
    .replace(/\|/g, '&#124;')
    .replace(/[*_`[\]\\]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/\r?\n/g, ' ');
}

/** 1234567 → `1.2 MB` (decimal units, as PyPI and GitHub show sizes). */
export function humanSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const sign = bytes < 0 ? '-' : '';
  return i === 0 ? `${sign}${v} B` : `${sign}${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** Signed size change with a percentage: `+1.2 kB (+3.4%)`, `±0 B`. */
export function sizeDelta(now: number, before: number): string {
  const d = now - before;
  if (d === 0) return '±0 B';
  const pct = before > 0 ? ` (${d > 0 ? '+' : ''}${((d / before) * 100).toFixed(1)}%)` : '';
  return `${d > 0 ? '+' : ''}${humanSize(d)}${pct}`;
}

export function shortSha(sha: string | null | undefined, n = 12): string {
  if (!sha) return '–';
  return sha.replace(/^sha256:/, '').slice(0, n);
}

export function seconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '–';
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
