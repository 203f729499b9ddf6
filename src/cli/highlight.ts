import { Paint } from '../runtime/colour.js';

/**
 * Colours the plain-text tables commands print (renderers stay plain, so widths and tests do
 * not see escape codes): table headers bold, rules dim, verdicts red or green, notes yellow.
 */
export function highlight(text: string, paint: Paint): string {
  const lines = text.split('\n');
  const isRule = (l: string | undefined): boolean =>
    l !== undefined && /^[─ ]+$/.test(l) && l.includes('─');
  return lines
    .map((line, i) => {
      if (isRule(line)) return paint('dim', line);
      if (isRule(lines[i + 1])) return paint('bold', line);
      if (line.startsWith('! ')) return paint('yellow', line);
      const heading = /^([A-Z][A-Z ]*[A-Z])(?=:|\s\s|$)/.exec(line);
      const body = heading ? paint('bold', heading[1]) + line.slice(heading[1].length) : line;
      return body.replace(
        /(NOT reproducible|not reproducible|irreproducible|✗|❌|\bFAILED\b|\bfailed\b)|(✓|✅|\breproducible\b|\bpassed\b)/g,
        (m: string, bad?: string) => paint(bad ? 'red' : 'green', m)
      );
    })
    .join('\n');
}
