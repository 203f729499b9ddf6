import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'smol-toml';
import { parseToml } from '../config/toml.js';
import { ConfigError } from '../errors.js';
import { sha256 } from '../runtime/fsutil.js';
import { normalizeName } from '../runtime/wheelname.js';

/** PEP 751 lock files at the project root: runtime dependencies and build requirements. */
export const LOCK_FILE = 'pylock.toml';
export const BUILD_LOCK_FILE = 'pylock.build.toml';

export type LockKind = 'runtime' | 'build';

export function lockFileName(kind: LockKind): string {
  return kind === 'runtime' ? LOCK_FILE : BUILD_LOCK_FILE;
}

/** One file a package may be installed from. */
export interface LockedArtifact {
  /** File name (from `name`, else the URL's or path's last part). */
  name: string;
  url?: string;
  sha256: string;
}

export interface LockedPackage {
  name: string;
  version: string;
  marker?: string;
  wheels: LockedArtifact[];
  sdist?: LockedArtifact;
}

/** What `albatross lock` adds under `[tool.albatross]`: whose lock this is and of what. */
export interface LockOrigin {
  project: string;
  kind: LockKind;
  /** The requirements that were locked, as given. */
  requirements: string[];
}

export interface Lock {
  /** Absolute path. */
  file: string;
  /** sha256 of the file's bytes. */
  sha256: string;
  createdBy: string;
  requiresPython?: string;
  packages: LockedPackage[];
  origin?: LockOrigin;
}

type Table = Record<string, unknown>;

function artifact(t: unknown, file: string, where: string): LockedArtifact {
  const a = (t ?? {}) as Table;
  const url = typeof a.url === 'string' ? a.url : undefined;
  const p = typeof a.path === 'string' ? a.path : undefined;
  const name =
    typeof a.name === 'string' ? a.name : decodeURIComponent(path.posix.basename(url ?? p ?? ''));
  const hash = ((a.hashes ?? {}) as Table).sha256;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash))
    throw new ConfigError(`${file}: ${where}: no sha256 hash (run \`albatross lock\`)`);
  return { name, sha256: hash, ...(url ? { url } : {}) };
}

/** Reads a PEP 751 lock; ConfigError naming the file (and line, for TOML errors). */
export function parseLock(text: string, file: string): Lock {
  const doc = parseToml(text, file);
  const version = doc['lock-version'];
  if (typeof version !== 'string' || !/^1(\.|$)/.test(version))
    throw new ConfigError(`${file}: lock-version must be 1.x (PEP 751), found ${String(version)}`);
  const packages: LockedPackage[] = [];
  for (const [i, raw] of ((doc.packages ?? []) as Table[]).entries()) {
    const name = typeof raw.name === 'string' ? raw.name : '';
    const where = `packages[${i}] ${name}`;
    if (!name || typeof raw.version !== 'string')
      throw new ConfigError(`${file}: ${where}: a package needs a name and a version`);
    packages.push({
      name: normalizeName(name),
      version: raw.version,
      ...(typeof raw.marker === 'string' ? { marker: raw.marker } : {}),
      wheels: ((raw.wheels ?? []) as unknown[]).map((w) => artifact(w, file, where)),
      ...(raw.sdist ? { sdist: artifact(raw.sdist, file, where) } : {})
    });
  }
  const own = ((doc.tool ?? {}) as Table).albatross as Table | undefined;
  const origin =
    own && typeof own.project === 'string'
      ? {
          project: own.project,
          kind: own.kind === 'build' ? ('build' as const) : ('runtime' as const),
          requirements: Array.isArray(own.requirements) ? own.requirements.map(String) : []
        }
      : undefined;
  return {
    file,
    sha256: sha256(text),
    createdBy: typeof doc['created-by'] === 'string' ? doc['created-by'] : '',
    ...(typeof doc['requires-python'] === 'string'
      ? { requiresPython: doc['requires-python'] }
      : {}),
    packages,
    ...(origin ? { origin } : {})
  };
}

/** The lock at `file`, or null when there is none. */
export async function readLock(file: string): Promise<Lock | null> {
  const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw new ConfigError(`${file}: cannot be read (${e.message})`);
  });
  return text === null ? null : parseLock(text, file);
}

/** The `[tool.albatross]` table appended to what the locker wrote (PEP 751 allows `[tool]`). */
export function originTable(o: LockOrigin): string {
  return (
    '\n' +
    stringify({
      tool: { albatross: { project: o.project, kind: o.kind, requirements: o.requirements } }
    }) +
    '\n'
  );
}

/**
 * The lock as a pip requirements file in hash-checking mode: `name==version ; marker` with
 * every locked file's sha256, so pip (`--require-hashes`) refuses any other file.
 */
export function hashedRequirements(lock: Lock): string {
  return lock.packages
    .map((p) => {
      const hashes = [...p.wheels, ...(p.sdist ? [p.sdist] : [])].map(
        (a) => ` \\\n    --hash=sha256:${a.sha256}`
      );
      if (!hashes.length)
        throw new ConfigError(`${lock.file}: ${p.name} ${p.version} lists no file to install`);
      return `${p.name}==${p.version}${p.marker ? ` ; ${p.marker}` : ''}${[...new Set(hashes)].join('')}\n`;
    })
    .join('');
}
