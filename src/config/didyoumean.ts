/** The nearest of `names` to a mistyped `word` (edit distance 2 at most), if any. */
export function closest(word: string, names: readonly string[]): string | undefined {
  return names
    .map((n) => ({ n, d: levenshtein(n, word) }))
    .filter((x) => x.d <= 2 && x.d < word.length)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))[0]?.n;
}

/** ` (did you mean 'X'?)`, or '' when nothing is near. */
export function didYouMean(word: string, names: readonly string[], prefix = ''): string {
  const near = closest(word, names);
  return near ? ` (did you mean '${prefix}${near}'?)` : '';
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)
      );
  return d[a.length][b.length];
}
