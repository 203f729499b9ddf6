import { colourEnabled, painter } from './colour.js';

/**
 * One logging surface for every stage. The CLI prints progress lines to stderr; the Action
 * maps the same calls onto @actions/core (groups, annotations). Stages never print directly.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string, file?: string): void;
  error(message: string, file?: string): void;
  debug(message: string): void;
  /** Something expected worth a visible note (a notice annotation in Actions); default: info. */
  notice?(message: string): void;
  /** A phase: one group in Actions, a progress line with its duration in the terminal. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Terminal logger: progress on stderr so stdout stays clean for --json; coloured on a terminal. */
export function terminalLogger(
  opts: { debug?: boolean; quiet?: boolean; colour?: boolean } = {}
): Logger {
  const paint = painter(opts.colour ?? colourEnabled(process.stderr));
  const err = (s: string): void => {
    process.stderr.write(s + '\n');
  };
  const where = (file?: string): string => (file ? file + ': ' : '');
  return {
    info: (m) => {
      if (!opts.quiet) err(m);
    },
    warn: (m, file) => err(`${paint('yellow', 'warning:')} ${where(file)}${m}`),
    error: (m, file) => err(`${paint('red', 'error:')} ${where(file)}${m}`),
    debug: (m) => {
      if (opts.debug) err(paint('dim', `debug: ${m}`));
    },
    group: async (name, fn) => {
      const t0 = process.hrtime.bigint();
      if (!opts.quiet) err(`${paint('cyan', '▸')} ${paint('bold', name)} …`);
      try {
        const r = await fn();
        if (!opts.quiet)
          err(`${paint('green', '✓')} ${name} ${paint('dim', `(${seconds(t0)} s)`)}`);
        return r;
      } catch (e) {
        if (!opts.quiet) err(`${paint('red', '✗')} ${name} ${paint('dim', `(${seconds(t0)} s)`)}`);
        throw e;
      }
    }
  };
}

/** A logger that keeps everything in memory: for tests and for capturing warnings. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    warn: (m, f) => lines.push(`warning: ${f ? f + ': ' : ''}${m}`),
    error: (m, f) => lines.push(`error: ${f ? f + ': ' : ''}${m}`),
    debug: (m) => lines.push(`debug: ${m}`),
    group: async (name, fn) => {
      lines.push(`group: ${name}`);
      return fn();
    }
  };
}

function seconds(t0: bigint): string {
  return (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1);
}
