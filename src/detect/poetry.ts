import { satisfies } from '@renovatebot/pep440';
import { ConfigError } from '../errors.js';
import { StaticMetadata, str, stringTable, table } from './static.js';

/**
 * Poetry's version constraints (caret, tilde, wildcard, bare versions, `||` unions) as PEP 440
 * specifiers. A union PEP 440 cannot state directly is written as the lower bound plus `!=X.Y.*`
 * exclusions over the Python minor versions, the way poetry-core writes Requires-Python.
 */
export function poetryToPep440(constraint: string, where: string): string {
  const alternatives = constraint
    .split(/\s*\|\|?\s*/)
    .map((a) => a.trim())
    .filter(Boolean);
  if (!alternatives.length) throw new ConfigError(`${where}: empty version constraint`);
  const specs = alternatives.map((a) => conjunction(a, where));
  if (specs.length === 1) return specs[0];
  if (specs.includes('')) return '';
  return unionOverMinors(specs, where);
}

/** One alternative: comma- or space-separated constraints, all of which must hold. */
function conjunction(text: string, where: string): string {
  const parts = text
    .replace(/(>=|<=|==|!=|~=|>|<|\^|~)\s+/g, '$1')
    .split(/\s*,\s*|\s+/)
    .filter(Boolean);
  const out: string[] = [];
  for (const p of parts) {
    const s = single(p, where);
    if (s) out.push(s);
  }
  return out.join(',');
}

function single(c: string, where: string): string {
  if (c === '*') return '';
  let m = /^\^(\d+(?:\.\d+)*)$/.exec(c);
  if (m) return caret(m[1]);
  m = /^~(?!=)(\d+(?:\.\d+)*)$/.exec(c);
  if (m) return tilde(m[1]);
  m = /^(\d+(?:\.\d+)*)\.\*$/.exec(c);
  if (m) return `==${m[1]}.*`;
  if (/^\d+(\.\d+)*([a-z]+\d*)?$/i.test(c)) return `==${c}`;
  if (/^(>=|<=|==|!=|~=|===|>|<)\s*\d[\w.*+!-]*$/.test(c)) return c;
  throw new ConfigError(`${where}: cannot read version constraint '${c}'`);
}

/** ^1.2.3 → >=1.2.3,<2.0.0; ^0.2.3 → >=0.2.3,<0.3.0; ^0.0.3 → >=0.0.3,<0.0.4; ^3.10 → >=3.10,<4.0. */
function caret(v: string): string {
  const n = v.split('.').map(Number);
  // The first non-zero component may not change (all zero: the last one may not).
  let i = n.findIndex((x) => x !== 0);
  if (i === -1) i = n.length - 1;
  const upper = n.slice(0, i + 1);
  upper[i] += 1;
  while (upper.length < n.length) upper.push(0);
  return `>=${v},<${upper.join('.')}`;
}

/** ~1.2.3 → >=1.2.3,<1.3.0; ~1.2 → >=1.2,<1.3; ~1 → >=1,<2. */
function tilde(v: string): string {
  const n = v.split('.').map(Number);
  const i = n.length === 1 ? 0 : 1;
  const upper = n.slice(0, i + 1);
  upper[i] += 1;
  while (upper.length < n.length) upper.push(0);
  return `>=${v},<${upper.join('.')}`;
}

/** Python minor versions a union is evaluated over (Requires-Python only ever names these). */
const MINORS = ['2.7', ...Array.from({ length: 31 }, (_, i) => `3.${i}`)];

function unionOverMinors(specs: string[], where: string): string {
  const ok = (v: string): boolean =>
    specs.some((s) => satisfies(`${v}.0`, s) || satisfies(`${v}.999`, s));
  const allowed = MINORS.filter(ok);
  if (!allowed.length)
    throw new ConfigError(`${where}: no Python version satisfies '${specs.join(' || ')}'`);
  const first = MINORS.indexOf(allowed[0]);
  const last = MINORS.indexOf(allowed[allowed.length - 1]);
  const out = [`>=${allowed[0]}`];
  for (let i = first; i <= last; i++) if (!ok(MINORS[i])) out.push(`!=${MINORS[i]}.*`);
  if (last < MINORS.length - 1) out.push(`<${MINORS[last + 1]}`);
  return out.join(',');
}

/** [tool.poetry] as project metadata; null when absent or when it declares no name. */
export function readPoetry(doc: Record<string, unknown>, file: string): StaticMetadata | null {
  const poetry = table(table(doc.tool)?.poetry);
  if (!poetry || typeof poetry.name !== 'string') return null;
  const deps = table(poetry.dependencies) ?? {};
  let requiresPython: string | null | undefined;
  const dependencies: string[] = [];
  for (const [name, spec] of Object.entries(deps)) {
    const where = `${file}: [tool.poetry.dependencies] ${name}`;
    if (name.toLowerCase() === 'python') {
      const c = typeof spec === 'string' ? spec : str(table(spec)?.version);
      if (c !== undefined) requiresPython = poetryToPep440(c, where) || null;
      continue;
    }
    const req = poetryRequirement(name, spec, where);
    if (req) dependencies.push(req);
  }
  const eps: Record<string, Record<string, string>> = {};
  const scripts: Record<string, string> = {};
  for (const [name, s] of Object.entries(table(poetry.scripts) ?? {})) {
    if (typeof s === 'string') scripts[name] = s;
    else {
      const t = table(s);
      const ref = str(t?.callable) ?? str(t?.reference);
      // `type = "file"` scripts are copied files, not entry points.
      if (ref && (t?.type === undefined || t.type === 'console')) scripts[name] = ref;
    }
  }
  if (Object.keys(scripts).length) eps.console_scripts = scripts;
  for (const [group, entries] of Object.entries(table(poetry.plugins) ?? {}))
    eps[group] = stringTable(entries);
  return {
    style: 'poetry',
    name: poetry.name,
    version: str(poetry.version),
    requiresPython,
    dependencies,
    entryPoints: eps,
    dynamic: [],
    sources: ['pyproject.toml']
  };
}

/** One [tool.poetry.dependencies] entry as PEP 508; optional ones (extras) are left out. */
function poetryRequirement(name: string, spec: unknown, where: string): string | null {
  if (typeof spec === 'string') return name + poetryToPep440(spec, where);
  const t = table(spec);
  if (!t) return name; // a list of constraints per marker: the name alone is still true
  if (t.optional === true) return null;
  const extras = Array.isArray(t.extras) && t.extras.length ? `[${t.extras.join(',')}]` : '';
  let req = name + extras;
  if (typeof t.git === 'string')
    req += ` @ git+${t.git}${typeof t.rev === 'string' ? '@' + t.rev : ''}`;
  else if (typeof t.url === 'string') req += ` @ ${t.url}`;
  else if (typeof t.version === 'string') req += poetryToPep440(t.version, where);
  const markers: string[] = [];
  if (typeof t.markers === 'string') markers.push(t.markers);
  if (typeof t.python === 'string') {
    const py = poetryToPep440(t.python, where);
    for (const s of py.split(',').filter(Boolean)) markers.push(`python_version ${pyMarker(s)}`);
  }
  if (markers.length) req += ` ; ${markers.join(' and ')}`;
  return req;
}

function pyMarker(spec: string): string {
  const m = /^(>=|<=|==|!=|~=|>|<)(.*)$/.exec(spec);
  return m ? `${m[1]} "${m[2]}"` : `== "${spec}"`;
}
