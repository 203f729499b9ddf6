import { AsyncLocalStorage } from 'node:async_hooks';
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
  /**
   * `info` (or `warn`), the first time `key` is logged through this logger or one derived from
   * it: for what several stages meet alike (SOURCE_DATE_EPOCH in every build, the same finding
   * on every wheel). Without it, every call prints.
   */
  once?(key: string, message: string, level?: 'info' | 'warn'): void;
  /**
   * A phase: one group in Actions, a progress line with its duration in the terminal. It failed
   * when `fn` throws or `failed(result)` holds (a stage that reports failure by its result).
   */
  group<T>(name: string, fn: () => Promise<T>, failed?: (result: T) => boolean): Promise<T>;
}

/** `log.once` where the logger has it, else a plain info line. */
export function infoOnce(log: Logger, key: string, message: string): void {
  if (log.once) log.once(key, message);
  else log.info(message);
}

/** `log.once` at warning level where the logger has it, else a plain warning. */
export function warnOnce(log: Logger, key: string, message: string): void {
  if (log.once) log.once(key, message, 'warn');
  else log.warn(message);
}

/** A `once` over a logger's `info` and `warn`: remembers the keys it has printed. */
export function onceBy(log: Pick<Logger, 'info' | 'warn'>): NonNullable<Logger['once']> {
  const seen = new Set<string>();
  return (key, message, level = 'info') => {
    if (seen.has(key)) return;
    seen.add(key);
    log[level](message);
  };
}

/** `[2/4] ` before the label of the i-th (0-based) of `n` like steps; nothing for a lone one. */
export function counter(i: number, n: number): string {
  return n > 1 ? `[${i + 1}/${n}] ` : '';
}

/** `45s`, `1m00s`, `12m30s`: how long a step has run, for heartbeat lines (never artifacts). */
export function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export interface TerminalLoggerOptions {
  debug?: boolean;
  quiet?: boolean;
  colour?: boolean;
  /** A step running longer than this prints a heartbeat line every as long (0: never). */
  heartbeatMs?: number;
  /** Where lines go (default: stderr, so stdout stays clean for --json). */
  write?: (line: string) => void;
  /** Milliseconds of a monotonic clock (tests inject one). */
  now?: () => number;
}

export const HEARTBEAT_MS = 30_000;

/** An open group: the heartbeat speaks for the innermost open groups only. */
interface OpenGroup {
  children: number;
}

/** Terminal logger: progress on stderr so stdout stays clean for --json; coloured on a terminal. */
export function terminalLogger(opts: TerminalLoggerOptions = {}): Logger {
  const paint = painter(opts.colour ?? colourEnabled(process.stderr));
  const err =
    opts.write ??
    ((s: string): void => {
      process.stderr.write(s + '\n');
    });
  const now = opts.now ?? ((): number => performance.now());
  const beatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  const open = new AsyncLocalStorage<OpenGroup>();
  const where = (file?: string): string => (file ? file + ': ' : '');
  const info = (m: string): void => {
    if (!opts.quiet) err(m);
  };
  const took = (t0: number): string => paint('dim', `(${((now() - t0) / 1000).toFixed(1)} s)`);
  const log: Logger = {
    info,
    warn: (m, file) => err(`${paint('yellow', 'warning:')} ${where(file)}${m}`),
    error: (m, file) => err(`${paint('red', 'error:')} ${where(file)}${m}`),
    debug: (m) => {
      if (opts.debug) err(paint('dim', `debug: ${m}`));
    },
    group: async (name, fn, failed) => {
      const t0 = now();
      const parent = open.getStore();
      const self: OpenGroup = { children: 0 };
      if (parent) parent.children++;
      info(`${paint('cyan', '▸')} ${paint('bold', name)} …`);
      // A long step says it is alive; a group with an open step inside leaves that to the step.
      const beat =
        beatMs > 0 && !opts.quiet
          ? setInterval(() => {
              if (!self.children)
                err(paint('dim', `… ${name} still running (${elapsed(now() - t0)})`));
            }, beatMs)
          : undefined;
      beat?.unref();
      const end = (ok: boolean): void => {
        clearInterval(beat);
        if (parent) parent.children--;
        info(`${ok ? paint('green', '✓') : paint('red', '✗')} ${name} ${took(t0)}`);
      };
      try {
        const r = await open.run(self, fn);
        end(!failed?.(r));
        return r;
      } catch (e) {
        end(false);
        throw e;
      }
    }
  };
  log.once = onceBy(log);
  return log;
}

/** A logger that keeps everything in memory: for tests and for capturing warnings. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log: Logger & { lines: string[] } = {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    warn: (m, f) => lines.push(`warning: ${f ? f + ': ' : ''}${m}`),
    error: (m, f) => lines.push(`error: ${f ? f + ': ' : ''}${m}`),
    debug: (m) => lines.push(`debug: ${m}`),
    group: async (name, fn, failed) => {
      lines.push(`group: ${name}`);
      try {
        const r = await fn();
        if (failed?.(r)) lines.push(`group failed: ${name}`);
        return r;
      } catch (e) {
        lines.push(`group failed: ${name}`);
        throw e;
      }
    }
  };
  log.once = onceBy(log);
  return log;
}
