import { explain } from '@renovatebot/pep440';
import { createHash } from 'node:crypto';
import { parseCoreMetadata } from '../../detect/metadata.js';
import { normalizeName } from '../../runtime/wheelname.js';
import { LayerEntry } from '../oci/tar.js';

/**
 * Debian's view of a Python project: package name, version, architecture, control and md5sums.
 * Pure functions; deb.ts writes the archive.
 */

/** Package: the project name PEP 503-normalised (lower case, `-`), as Debian policy allows. */
export function debPackageName(name: string): string | null {
  const n = normalizeName(name);
  return /^[a-z0-9][a-z0-9+.-]+$/.test(n) ? n : null;
}

/**
 * Version: PEP 440 mapped so that dpkg orders versions as PEP 440 does (README, "Debian
 * versions"): epoch `N!` → `N:`; pre-releases `aN`/`bN`/`rcN` → `~aN` (before the release);
 * `.postN` → `+postN` (after it); `.devN` → `~devN` after a pre- or post-release part, `~~devN`
 * on its own (before every pre-release); a local label `+L` → `+~L` (after the release, before
 * its post-releases). Null when `version` is not PEP 440.
 */
export function debVersion(version: string): string | null {
  const v = explain(version);
  if (!v) return null;
  let out = v.epoch ? `${v.epoch}:` : '';
  out += v.release.join('.');
  if (v.pre) out += `~${v.pre[0]}${v.pre[1]}`;
  if (v.post !== null) out += `+post${v.post}`;
  if (v.dev !== null) out += v.pre || v.post !== null ? `~dev${v.dev}` : `~~dev${v.dev}`;
  if (v.local) out += `+~${v.local}`;
  return out;
}

/** Debian architectures of the machines wheels and ELF headers name. */
const DEB_ARCH: Record<string, string> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  i686: 'i386',
  armv7l: 'armhf',
  ppc64le: 'ppc64el',
  s390x: 's390x',
  riscv64: 'riscv64'
};

export function debArchitecture(machine: string): string | null {
  return DEB_ARCH[machine] ?? null;
}

/** The fields of core metadata a control file takes. */
export interface DebMetadata {
  summary: string | null;
  /** `Name <email>`, or null when the metadata names no maintainer or author email. */
  maintainer: string | null;
  homepage: string | null;
}

/** `Name <email>` from `Maintainer(-email)`, else `Author(-email)` (the first address). */
function person(name: string | undefined, email: string | undefined): string | null {
  const first = email?.split(',')[0].trim();
  if (!first) return null;
  const m = /^"?([^"<]*?)"?\s*<([^>]+)>$/.exec(first);
  if (m) return `${m[1].trim() || name?.trim() || m[2]} <${m[2].trim()}>`;
  return `${name?.split(',')[0].trim() || first} <${first}>`;
}

export function debMetadata(metadataText: string): DebMetadata {
  const h = parseCoreMetadata(metadataText);
  const one = (k: string): string | undefined => h.get(k)?.[0];
  const url = (h.get('project-url') ?? [])
    .map((u) => /^\s*([^,]+),\s*(\S+)\s*$/.exec(u))
    .find((m) => m && /^home\s*-?\s*page$/i.test(m[1].trim()));
  return {
    summary: one('summary')?.replace(/\s+/g, ' ').trim() || null,
    maintainer:
      person(one('maintainer'), one('maintainer-email')) ??
      person(one('author'), one('author-email')),
    homepage: one('home-page')?.trim() || url?.[2] || null
  };
}

export interface ControlRequest {
  package: string;
  version: string;
  architecture: string;
  maintainer: string;
  installedSize: number;
  depends: string[];
  homepage: string | null;
  synopsis: string;
  /** Paragraphs of the extended description (plain text: wrapped, indented and dotted here). */
  description: string[];
}

/** Words wrapped to lines of at most `width` characters (a longer word stands alone). */
export function wrap(text: string, width = 78): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The control file: fields in a fixed order; the description wrapped, paragraphs split by ` .`. */
export function controlText(r: ControlRequest): string {
  const fields: [string, string | null][] = [
    ['Package', r.package],
    ['Version', r.version],
    ['Architecture', r.architecture],
    ['Maintainer', r.maintainer],
    ['Installed-Size', String(r.installedSize)],
    ['Depends', r.depends.length ? r.depends.join(', ') : null],
    ['Section', 'python'],
    ['Priority', 'optional'],
    ['Homepage', r.homepage]
  ];
  const lines = fields.filter(([, v]) => v).map(([k, v]) => `${k}: ${v}`);
  lines.push(`Description: ${r.synopsis.replace(/\s+/g, ' ').trim()}`);
  r.description.forEach((p, i) => {
    if (i) lines.push(' .');
    for (const l of wrap(p)) lines.push(` ${l}`);
  });
  return lines.join('\n') + '\n';
}

/** md5sums: `md5  path` for every regular file (paths without `./`), in the archive's order. */
export function md5sums(entries: LayerEntry[]): string {
  return entries
    .filter((e) => e.type === 'file')
    .map(
      (e) =>
        `${createHash('md5')
          .update(e.data ?? Buffer.alloc(0))
          .digest('hex')}  ${e.path.replace(/^\.\//, '')}\n`
    )
    .join('');
}

/** Installed-Size in KiB as dpkg-gencontrol counts it: files rounded up, 1 per dir or link. */
export function installedSize(entries: LayerEntry[]): number {
  return entries.reduce(
    (n, e) => n + (e.type === 'file' ? Math.ceil((e.data?.length ?? 0) / 1024) : 1),
    0
  );
}

/**
 * prerm: byte code the interpreter wrote at run time (running as root writes `__pycache__`
 * beside the sources) is not in the package, so dpkg would leave it and the directories
 * holding it behind; it goes with the package. `prefix` passed prefixProblem (no quoting
 * hazards), and is quoted all the same.
 */
export function prermScript(prefix: string): string {
  return [
    '#!/bin/sh',
    'set -e',
    'case "$1" in',
    '  remove | upgrade | deconfigure)',
    `    find '${prefix}' -depth -type d -name __pycache__ -exec rm -rf {} + 2>/dev/null || true`,
    '    ;;',
    'esac',
    ''
  ].join('\n');
}
