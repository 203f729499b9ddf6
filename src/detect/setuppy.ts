import { parseEntryPointsTxt } from './metadata.js';
import { entryLines } from './setupcfg.js';
import { StaticMetadata } from './static.js';

/**
 * setup.py read as text, never executed: literal keyword arguments of setup() only. Whatever
 * it computes is left to the backend hook; this is the fallback when no Python can run it.
 */
export function readSetupPy(text: string): StaticMetadata {
  const code = stripComments(text);
  const eps: Record<string, Record<string, string>> = {};
  const block = balanced(code, /\bentry_points\s*=\s*/);
  if (block) {
    for (const m of block.matchAll(/(['"])([\w.-]+)\1\s*:\s*\[([^\]]*)\]/g)) {
      eps[m[2]] = entryLines(stringLiterals(m[3]).join('\n'));
    }
  }
  // The older string form: entry_points="""[console_scripts]\nname = mod:attr"""
  const ini = /\bentry_points\s*=\s*(?:"{3}([\s\S]*?)"{3}|'{3}([\s\S]*?)'{3})/.exec(code);
  if (!block && ini) Object.assign(eps, parseEntryPointsTxt(dedent(ini[1] ?? ini[2])));
  const deps = balanced(code, /\binstall_requires\s*=\s*/);
  return {
    style: 'setuptools',
    name: literal(code, 'name'),
    version: literal(code, 'version'),
    requiresPython: literal(code, 'python_requires'),
    dependencies: deps ? stringLiterals(deps) : [],
    entryPoints: eps,
    dynamic: [],
    sources: ['setup.py']
  };
}

/** Native-code markers in setup.py text, e.g. `setup.py: Extension`. */
export function setupPyNativeMarkers(text: string): string[] {
  const code = blankStrings(stripComments(text));
  const found: string[] = [];
  const checks: [RegExp, string][] = [
    [/\bExtension\s*\(/, 'Extension'],
    [/\bPybind11Extension\s*\(/, 'Pybind11Extension'],
    [/\bRustExtension\s*\(/, 'RustExtension'],
    [/\bext_modules\s*=/, 'ext_modules'],
    [/\bcythonize\s*\(/, 'cythonize'],
    [/\bcffi_modules\s*=/, 'cffi_modules'],
    [/\brust_extensions\s*=/, 'rust_extensions']
  ];
  for (const [re, what] of checks) if (re.test(code)) found.push(`setup.py: ${what}`);
  return found;
}

/** `py_limited_api=True` on an Extension or `'py_limited_api': 'cp39'` for bdist_wheel. */
export function setupPyLimitedApi(text: string): boolean {
  const code = stripComments(text);
  return (
    /\bpy_limited_api\s*=\s*True\b/.test(code) ||
    /['"]py_limited_api['"]\s*:\s*['"]cp3\d+['"]/.test(code)
  );
}

function literal(code: string, key: string): string | undefined {
  const m = new RegExp(`\\b${key}\\s*=\\s*(?:'([^'\\n]*)'|"([^"\\n]*)")`).exec(code);
  return m ? (m[1] ?? m[2]) : undefined;
}

function stringLiterals(text: string): string[] {
  return [...text.matchAll(/'([^'\n]*)'|"([^"\n]*)"/g)]
    .map((m) => (m[1] ?? m[2]).trim())
    .filter(Boolean);
}

/** The bracketed expression ({...} or [...]) following `re`, or undefined. */
function balanced(code: string, re: RegExp): string | undefined {
  const m = re.exec(code);
  if (!m) return undefined;
  const start = m.index + m[0].length;
  const open = code[start];
  const close = open === '{' ? '}' : open === '[' ? ']' : open === '(' ? ')' : '';
  if (!close) return undefined;
  let depth = 0;
  for (let i = start; i < code.length; i++) {
    if (code[i] === open) depth++;
    else if (code[i] === close && --depth === 0) return code.slice(start + 1, i);
  }
  return undefined;
}

/** Drops `#` comments outside string literals, so commented-out code is not read. */
function stripComments(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      let q: string | null = null;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (q) {
          if (c === '\\') i++;
          else if (c === q) q = null;
        } else if (c === '"' || c === "'") q = c;
        else if (c === '#') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

/** Empties string literals (docstrings included) so words inside them are not read as code. */
function blankStrings(code: string): string {
  return code.replace(
    /"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g,
    '""'
  );
}

/** Entry-point INI text inside an indented Python string has no continuation lines. */
function dedent(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .join('\n');
}
