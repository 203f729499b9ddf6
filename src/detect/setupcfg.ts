import { IniDoc, iniGet, iniList } from './ini.js';
import { StaticMetadata } from './static.js';

/** setuptools' declarative setup.cfg ([metadata], [options], [options.entry_points]). */
export function readSetupCfg(doc: IniDoc): StaticMetadata {
  const meta = doc.metadata;
  const options = doc.options;
  const dynamic: string[] = [];
  let version = iniGet(meta, 'version');
  // `attr:` / `file:` directives are computed by setuptools: the backend hook resolves them.
  if (version && /^(attr|file)\s*:/.test(version)) {
    dynamic.push('version');
    version = undefined;
  }
  const eps: Record<string, Record<string, string>> = {};
  for (const [group, value] of Object.entries(doc['options.entry_points'] ?? {})) {
    eps[group] = entryLines(value);
  }
  const rp = iniGet(options, 'python_requires');
  return {
    style: 'setuptools',
    name: iniGet(meta, 'name'),
    version,
    requiresPython: rp,
    dependencies: iniList(iniGet(options, 'install_requires'), /\n/),
    entryPoints: eps,
    dynamic,
    sources: ['setup.cfg']
  };
}

/** `name = module:attr` lines (setup.cfg, entry_points.txt, setup.py strings). */
export function entryLines(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of value.split('\n')) {
    const m = /^\s*([^=\s#;][^=]*?)\s*=\s*(\S.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** setup.cfg's `[bdist_wheel] py_limited_api = cp39` (abi3 wheels). */
export function setupCfgLimitedApi(doc: IniDoc): string | undefined {
  const v = iniGet(doc.bdist_wheel, 'py_limited_api');
  return v && /^cp3\d+$/.test(v) ? v : undefined;
}
