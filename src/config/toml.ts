import { promises as fs } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { reasonOf } from '../runtime/oserror.js';

/**
 * Reads and parses a TOML file. A file that cannot be read, is not UTF-8 (TOML's only encoding)
 * or has a syntax error is a ConfigError naming the file (and the line).
 */
export async function readToml(file: string): Promise<Record<string, unknown>> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    throw new ConfigError(`${file}: cannot be read: ${reasonOf(e)}`);
  }
  return parseToml(decodeUtf8(bytes, file), file);
}

/** UTF-8 text of a file, or a ConfigError naming the line of the first invalid byte. */
export function decodeUtf8(bytes: Buffer, file: string): string {
  const validPrefix = (n: number): boolean => {
    try {
      // `stream`: a sequence cut at the end of the prefix is incomplete, not invalid.
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Located below.
  }
  // Binary search for the longest valid prefix: the next byte is the first invalid one.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (validPrefix(mid)) lo = mid;
    else hi = mid - 1;
  }
  const line = bytes.subarray(0, lo).filter((b) => b === 0x0a).length + 1;
  throw new ConfigError(`${file}:${line}: not valid UTF-8 (TOML files must be UTF-8)`);
}

export function parseToml(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const first = e.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
      throw new ConfigError(`${file}:${e.line}:${e.column}: invalid TOML: ${first}`);
    }
    throw e;
  }
}
