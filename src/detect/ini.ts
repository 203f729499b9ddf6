/**
 * A small INI reader with setuptools' (configparser) conventions: `key = value` or
 * `key: value`, indented continuation lines, `#`/`;` comment lines. Keys are kept as written
 * (setup.cfg uses both `python_requires` and `python-requires`); sections are case-sensitive.
 */
export type IniDoc = Record<string, Record<string, string>>;

export function parseIni(text: string): IniDoc {
  const doc: IniDoc = {};
  let section: Record<string, string> | null = null;
  let key: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw)) continue;
    if (raw.trim() === '') {
      // Blank lines inside a multi-line value are kept by configparser; trailing ones trimmed below.
      if (section && key) section[key] += '\n';
      continue;
    }
    const head = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (head) {
      section = doc[head[1].trim()] ??= {};
      key = null;
      continue;
    }
    if (/^\s/.test(raw) && section && key) {
      section[key] += '\n' + raw.trim();
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && section) {
      key = kv[1].trim();
      section[key] = stripInlineComment(kv[2]);
    }
  }
  for (const sec of Object.values(doc)) {
    for (const k of Object.keys(sec)) sec[k] = sec[k].replace(/\n+$/, '').replace(/^\n+/, '');
  }
  return doc;
}

/** configparser in setuptools strips ` #` / ` ;` inline comments. */
function stripInlineComment(v: string): string {
  return v.replace(/\s+[#;].*$/, '').trim();
}

/** A setup.cfg list value: one item per line, or comma/semicolon separated on one line. */
export function iniList(value: string | undefined, sep: RegExp = /[,\n]/): string[] {
  if (!value) return [];
  return value
    .split(sep)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

/** Reads a value under either spelling (`python_requires` / `python-requires`). */
export function iniGet(
  section: Record<string, string> | undefined,
  key: string
): string | undefined {
  if (!section) return undefined;
  return section[key] ?? section[key.replace(/_/g, '-')] ?? section[key.replace(/-/g, '_')];
}
