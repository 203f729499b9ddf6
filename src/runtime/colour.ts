/**
 * Whether to colour what goes to `stream`: FORCE_COLOR decides when set (`0`/`false` turn
 * colour off, as in Node), else NO_COLOR (any value) turns it off, else only a terminal
 * that is not `dumb` gets colour.
 */
export function colourEnabled(
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env
): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** SGR open/close codes (our own: util.styleText checks stdout, not the stream we write to). */
const SGR = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39]
} as const;

export type Style = keyof typeof SGR;

/** A painter: `paint('red', s)` is `s` in red when colour is on, `s` unchanged otherwise. */
export type Paint = (style: Style, text: string) => string;

export function painter(enabled: boolean): Paint {
  return enabled
    ? (style, text) => `\x1b[${SGR[style][0]}m${text}\x1b[${SGR[style][1]}m`
    : (_style, text) => text;
}
