import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { ConfigError } from '../errors.js';
import { OPTION_DEFS, OptionDef, findDef } from './definitions.js';
import { didYouMean } from './didyoumean.js';
import { Options, camel, defaultOptions } from './options.js';
import { readToml } from './toml.js';

/** A layer of raw values from one source, keyed by option name (kebab-case). */
export interface RawLayer {
  /** Named in errors, e.g. `--jobs`, `input 'jobs'`, `pyproject.toml [tool.albatross]`. */
  source: 'cli' | 'action' | 'pyproject';
  /** Where it came from, for messages (file path for pyproject). */
  origin: string;
  values: Record<string, unknown>;
}

/**
 * Resolves Options: defaults (with a face's own, e.g. the Action's) → `[tool.albatross]` →
 * CLI flags / Action inputs (later wins).
 */
export async function resolveOptions(
  projectDir: string,
  layers: RawLayer[],
  faceDefaults: Partial<Options> = {}
): Promise<Options> {
  const abs = path.resolve(projectDir);
  const opts = defaultOptions({ ...faceDefaults, projectDir: abs });
  const all = [...(await pyprojectLayer(abs)), ...layers];
  for (const layer of all) applyLayer(opts, layer);
  return opts;
}

/** Reads `[tool.albatross]` when pyproject.toml exists. */
export async function pyprojectLayer(projectDir: string): Promise<RawLayer[]> {
  const file = path.join(projectDir, 'pyproject.toml');
  try {
    await fs.access(file);
  } catch {
    return [];
  }
  const doc = await readToml(file);
  const tool = (doc.tool as Record<string, unknown> | undefined)?.albatross;
  if (tool === undefined) return [];
  if (typeof tool !== 'object' || tool === null || Array.isArray(tool)) {
    throw new ConfigError(`${file}: [tool.albatross] must be a table`);
  }
  return [{ source: 'pyproject', origin: file, values: tool as Record<string, unknown> }];
}

export function applyLayer(opts: Options, layer: RawLayer): void {
  for (const [key, raw] of Object.entries(layer.values)) {
    const def = findDef(key);
    const where = describe(layer, key);
    if (!def || !def.sources[layer.source]) {
      throw new ConfigError(`${where}: unknown option '${key}'${suggest(key, layer.source)}`);
    }
    const value = coerce(def, raw, where, layer.source !== 'pyproject');
    const problem = def.validate?.(value as never);
    if (problem) throw new ConfigError(`${where}: ${problem}`);
    (opts as unknown as Record<string, unknown>)[camel(def.name)] = value;
    if (!opts.explicit.includes(def.name)) opts.explicit = [...opts.explicit, def.name];
  }
}

function describe(layer: RawLayer, key: string): string {
  switch (layer.source) {
    case 'cli':
      return `flag --${key}`;
    case 'action':
      return `input '${key}'`;
    case 'pyproject':
      return `${layer.origin}: [tool.albatross] key '${key}'`;
  }
}

function suggest(key: string, source: RawLayer['source']): string {
  return didYouMean(
    key,
    OPTION_DEFS.filter((d) => d.sources[source]).map((d) => d.name)
  );
}

/** Converts a raw value (a string from flags/inputs, a TOML value from pyproject) to its type. */
export function coerce(def: OptionDef, raw: unknown, where: string, fromString: boolean): unknown {
  const bad = (want: string): never => {
    throw new ConfigError(`${where}: expected ${want}, got ${JSON.stringify(raw)}`);
  };
  switch (def.type) {
    case 'string':
      if (raw === null && def.default === null) return null;
      return typeof raw === 'string' ? raw : bad('a string');
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (fromString && typeof raw === 'string') {
        const s = raw.trim().toLowerCase();
        if (['true', 'yes', '1', 'on'].includes(s)) return true;
        if (['false', 'no', '0', 'off'].includes(s)) return false;
      }
      return bad('true or false');
    case 'int': {
      if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) return raw;
      if (typeof raw === 'bigint' && raw >= 0n) return Number(raw);
      if (fromString && typeof raw === 'string' && /^\d+$/.test(raw.trim()))
        return Number(raw.trim());
      return bad('a non-negative integer');
    }
    case 'enum': {
      if (typeof raw === 'string' && def.choices!.includes(raw.trim())) return raw.trim();
      return bad(`one of ${def.choices!.join(', ')}`);
    }
    case 'list': {
      if (Array.isArray(raw) && raw.every((x) => typeof x === 'string'))
        return checkChoices(def, raw as string[], where);
      if (typeof raw === 'string') return checkChoices(def, splitList(raw), where);
      return bad('a list of strings');
    }
    case 'map': {
      if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(raw)) {
          if (typeof v !== 'string') bad('a table of strings');
          out[k] = v as string;
        }
        checkChoices(def, Object.keys(out), where);
        return out;
      }
      if (typeof raw === 'string') {
        const out: Record<string, string> = {};
        for (const item of splitList(raw)) {
          const eq = item.indexOf('=');
          if (eq <= 0) bad('`key=value` entries');
          out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
        }
        checkChoices(def, Object.keys(out), where);
        return out;
      }
      return bad('a table of strings');
    }
  }
}

/** List items (map keys) outside the option's choices are errors naming the value. */
function checkChoices(def: OptionDef, items: string[], where: string): string[] {
  const wrong = def.choices ? items.find((x) => !def.choices!.includes(x)) : undefined;
  if (wrong !== undefined)
    throw new ConfigError(
      `${where}: unknown value '${wrong}'${didYouMean(wrong, def.choices!)} (expected ${def.choices!.join(', ')})`
    );
  return items;
}

/** Lists from flags and inputs: comma- or newline-separated, blanks dropped. */
export function splitList(s: string): string[] {
  return s
    .split(/[,\n]/)
    .map((x) => x.trim())
    .filter((x) => x !== '');
}
