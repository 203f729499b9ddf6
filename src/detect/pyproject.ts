import { ConfigError } from '../errors.js';
import { StaticMetadata, str, strList, stringTable, table } from './static.js';
import { checkPep621Types } from './validate.js';

export const LEGACY_BACKEND = 'setuptools.build_meta:__legacy__';
export const LEGACY_REQUIRES = ['setuptools>=40.8.0'];

export interface BuildSystem {
  backend: string;
  requires: string[];
  backendPath: string[];
  /** False when pyproject.toml has no [build-system] (PEP 517's legacy fallback). */
  declared: boolean;
}

/** [build-system], with PEP 517's fallback for projects that do not declare one. */
export function readBuildSystem(doc: Record<string, unknown> | null, file: string): BuildSystem {
  const bs = table(doc?.['build-system']);
  if (!bs)
    return {
      backend: LEGACY_BACKEND,
      requires: [...LEGACY_REQUIRES],
      backendPath: [],
      declared: false
    };
  if (
    bs.requires !== undefined &&
    !(Array.isArray(bs.requires) && bs.requires.every((r) => typeof r === 'string'))
  ) {
    throw new ConfigError(`${file}: [build-system] requires must be an array of strings`);
  }
  if (bs['build-backend'] !== undefined && typeof bs['build-backend'] !== 'string')
    throw new ConfigError(`${file}: [build-system] build-backend must be a string`);
  const backend = str(bs['build-backend']);
  return {
    // PEP 517: requires without build-backend means the legacy setuptools backend.
    backend: backend ?? LEGACY_BACKEND,
    requires: bs.requires === undefined && !backend ? [...LEGACY_REQUIRES] : strList(bs.requires),
    backendPath: strList(bs['backend-path']),
    declared: true
  };
}

/** PEP 621 [project]; null when the table is absent. */
export function readPep621(doc: Record<string, unknown>, file: string): StaticMetadata | null {
  const p = table(doc.project);
  if (!p) return null;
  checkPep621Types(p, file);
  const dynamic = strList(p.dynamic);
  if (typeof p.name !== 'string' && !dynamic.includes('name')) {
    throw new ConfigError(`${file}: [project] name is required (a string)`);
  }
  const eps: Record<string, Record<string, string>> = {};
  const scripts = stringTable(p.scripts);
  const gui = stringTable(p['gui-scripts']);
  if (Object.keys(scripts).length) eps.console_scripts = scripts;
  if (Object.keys(gui).length) eps.gui_scripts = gui;
  for (const [group, entries] of Object.entries(table(p['entry-points']) ?? {})) {
    eps[group] = { ...stringTable(entries), ...(eps[group] ?? {}) };
  }
  const rp = p['requires-python'];
  return {
    style: 'pep621',
    name: str(p.name),
    version: str(p.version),
    requiresPython: typeof rp === 'string' ? rp : undefined,
    dependencies: strList(p.dependencies),
    entryPoints: eps,
    dynamic,
    sources: ['pyproject.toml']
  };
}

/** Flit's pre-PEP 621 [tool.flit.metadata] (name from `module`, version always dynamic). */
export function readFlitLegacy(doc: Record<string, unknown>): StaticMetadata | null {
  const flit = table(table(doc.tool)?.flit);
  const m = table(flit?.metadata);
  if (!flit || !m) return null;
  const eps: Record<string, Record<string, string>> = {};
  const scripts = stringTable(flit.scripts);
  if (Object.keys(scripts).length) eps.console_scripts = scripts;
  for (const [group, entries] of Object.entries(table(flit.entrypoints) ?? {}))
    eps[group] = stringTable(entries);
  return {
    style: 'flit',
    name: str(m['dist-name']) ?? str(m.module),
    requiresPython: str(m['requires-python']),
    dependencies: strList(m['requires']),
    entryPoints: eps,
    dynamic: ['version', 'description'],
    sources: ['pyproject.toml']
  };
}
