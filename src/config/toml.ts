import { promises as fs } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from '../errors.js';

/** Parses a TOML file; a syntax error becomes a ConfigError naming the file and line. */
export async function readToml(file: string): Promise<Record<string, unknown>> {
  const text = await fs.readFile(file, 'utf8');
  return parseToml(text, file);
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
