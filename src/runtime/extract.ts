import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { walkZip, ZipSource } from './zipread.js';

/**
 * The one set of rules for archive members Albatross unpacks, reads as a tree or ships
 * (sdists, wheels, cache entries, docker archives, OCI base layers). A member is refused when
 * its name is absolute, climbs with `..` or holds a NUL; when it is a device, fifo or socket
 * (except in a root file system, which is passed through, never created here); when its path
 * goes through a symlink or file listed before, or it replaces a directory earlier members
 * made; when it appears twice; when it is a hard link to anything but an earlier regular file;
 * when it is a symlink whose target, followed through the archive's own links, leaves the
 * destination.
 */

/** What a member is, from a tar header's type or a zip entry's st_mode bits. */
export type MemberType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  | 'character-device'
  | 'block-device'
  | 'fifo'
  | 'socket'
  | 'other';

export interface MemberInfo {
  name: string;
  type: MemberType;
  /** Symlink target, or the archive path a hard link names. */
  linkname?: string;
}

/** A member held in memory, ready to be written (sdists and wheels are small enough). */
export interface Member {
  name: string;
  type: 'file' | 'directory' | 'symlink';
  /** Permission bits as found (0 when the archive did not say). */
  mode: number;
  data: Buffer;
  linkname?: string;
}

/** A member refused: names the archive and the member, says why. */
export class UnsafeMemberError extends Error {
  constructor(
    readonly archive: string,
    readonly member: string,
    readonly reason: string
  ) {
    super(`${archive}: refusing member ${member}: ${reason}`);
    this.name = 'UnsafeMemberError';
  }
}

export interface GuardOptions {
  /**
   * The archive is a root file system (an OCI layer): absolute link targets mean its root, and
   * device nodes and fifos are ordinary members (the engine creates them inside a container;
   * Albatross only reads the layer and passes it through).
   */
  rootfs?: boolean;
  /** False for wheels: pip would install a symlink entry as a file holding the target's name. */
  symlinks?: boolean;
}

const MAX_HOPS = 40;

/** Why a member name is unsafe, or null. */
export function memberProblem(name: string): string | null {
  if (name.includes('\0')) return 'its name holds a NUL byte';
  if (name.startsWith('/')) return 'it is an absolute path';
  if (name.split('/').includes('..')) return "it climbs out with '..'";
  return null;
}

/** A safe member name as a relative POSIX path without `.` parts ('' for the root itself). */
export function memberPath(name: string): string {
  return name
    .split('/')
    .filter((p) => p && p !== '.')
    .join('/');
}

/** The archive path a link in a root file system points at (absolute = from the root); null above it. */
export function linkTargetPath(from: string, linkname: string): string | null {
  const joined = linkname.startsWith('/')
    ? linkname.slice(1)
    : path.posix.join(path.posix.dirname(from), linkname);
  const norm = path.posix.normalize(joined || '.');
  if (norm === '..' || norm.startsWith('../') || norm.includes('\0')) return null;
  return memberPath(norm);
}

/** A tar-stream header type as a member type (pax and GNU extension headers never reach us). */
export function tarMemberType(type: string | null | undefined): MemberType {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    case 'character-device':
    case 'block-device':
    case 'fifo':
      return type;
    default:
      return 'other';
  }
}

/** A zip entry's type from the st_mode in its external attributes (0: a plain file or directory). */
export function zipMemberType(mode: number, isDirectory: boolean): MemberType {
  switch (mode & 0o170000) {
    case 0o120000:
      return 'symlink';
    case 0o020000:
      return 'character-device';
    case 0o060000:
      return 'block-device';
    case 0o010000:
      return 'fifo';
    case 0o140000:
      return 'socket';
    case 0o040000:
      return 'directory';
    default:
      return isDirectory ? 'directory' : 'file';
  }
}

const ARTICLE: Record<MemberType, string> = {
  file: 'a file',
  directory: 'a directory',
  symlink: 'a symbolic link',
  hardlink: 'a hard link',
  'character-device': 'a character device',
  'block-device': 'a block device',
  fifo: 'a fifo',
  socket: 'a socket',
  other: 'a member of an unknown type'
};

/**
 * Admits members one at a time, in archive order (streams can be checked as they are read),
 * then `finish` checks every symlink against the whole tree. Throws UnsafeMemberError.
 */
export class MemberGuard {
  private readonly nodes = new Map<string, MemberInfo>();
  /** Directories earlier members made (listed or implied by a deeper name). */
  private readonly dirs = new Set<string>();

  constructor(
    private readonly archive: string,
    private readonly opts: GuardOptions = {}
  ) {}

  private refuse(member: string, reason: string): never {
    throw new UnsafeMemberError(this.archive, member, reason);
  }

  /** Checks one member; returns its normalised path ('' for the archive root itself). */
  admit(m: MemberInfo): string {
    const problem = memberProblem(m.name);
    if (problem) this.refuse(m.name, problem);
    const p = memberPath(m.name);
    if (!p) {
      if (m.type !== 'directory') this.refuse(m.name, `${ARTICLE[m.type]} in place of the root`);
      return '';
    }
    const special = ['character-device', 'block-device', 'fifo'].includes(m.type);
    if (m.type === 'other' || m.type === 'socket' || (special && !this.opts.rootfs))
      this.refuse(m.name, `it is ${ARTICLE[m.type]}`);
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const n = this.nodes.get(parent);
      if (n && n.type !== 'directory')
        this.refuse(m.name, `its path goes through ${parent}, ${ARTICLE[n.type]}`);
    }
    const before = this.nodes.get(p);
    if (before) {
      if (before.type === 'directory' && m.type === 'directory') return p;
      this.refuse(m.name, 'it appears twice');
    }
    if (m.type !== 'directory' && this.dirs.has(p))
      this.refuse(m.name, `it is ${ARTICLE[m.type]} where earlier members made a directory`);
    if (m.type === 'hardlink') this.checkHardlink(m);
    if (m.type === 'symlink') {
      if (this.opts.symlinks === false) this.refuse(m.name, 'it is a symbolic link');
      if (!m.linkname) this.refuse(m.name, 'it is a symbolic link with no target');
      if (m.linkname.includes('\0')) this.refuse(m.name, 'its link target holds a NUL byte');
      if (m.linkname.startsWith('/') && !this.opts.rootfs)
        this.refuse(m.name, `it is a symbolic link to the absolute path ${m.linkname}`);
    }
    for (let i = 1; i < parts.length; i++) this.dirs.add(parts.slice(0, i).join('/'));
    if (m.type === 'directory') this.dirs.add(p);
    this.nodes.set(p, { ...m, name: p });
    return p;
  }

  private checkHardlink(m: MemberInfo): void {
    const raw = m.linkname ?? '';
    const target = this.opts.rootfs ? raw.replace(/^\/+/, '') : raw;
    const problem = memberProblem(target);
    if (!raw || problem)
      this.refuse(m.name, `it is a hard link to ${raw || 'nothing'}, outside the archive`);
    // Inside a root file system the target may come from a lower layer.
    if (this.opts.rootfs) return;
    const n = this.nodes.get(memberPath(target));
    if (n?.type !== 'file')
      this.refuse(
        m.name,
        `it is a hard link to ${raw}, which is not an earlier file of the archive`
      );
  }

  /** Checks every symlink against the complete tree (a later link can redirect an earlier one). */
  finish(): void {
    for (const n of this.nodes.values()) {
      if (n.type !== 'symlink') continue;
      const dir = n.name.split('/').slice(0, -1);
      if (this.walk(dir, n.linkname ?? '', n.name, { hops: 0 }) === null)
        this.refuse(
          n.name,
          `it is a symbolic link to ${n.linkname}, which resolves outside the ${this.opts.rootfs ? 'image root' : 'destination'}`
        );
    }
  }

  /**
   * Where `target` leads from the directory `dir`, following the archive's own links as the
   * kernel would; null when it climbs above the root. Components the archive does not hold
   * stay as they are (nothing outside the fresh destination can be reached through them).
   */
  private walk(
    dir: string[],
    target: string,
    member: string,
    c: { hops: number }
  ): string[] | null {
    let cur = target.startsWith('/') ? [] : [...dir];
    for (const part of target.split('/')) {
      if (!part || part === '.') continue;
      if (part === '..') {
        if (!cur.length) return null;
        cur.pop();
        continue;
      }
      cur.push(part);
      const n = this.nodes.get(cur.join('/'));
      if (n?.type !== 'symlink') continue;
      if (++c.hops > MAX_HOPS) this.refuse(member, 'too many levels of symbolic links');
      const next = this.walk(cur.slice(0, -1), n.linkname ?? '', member, c);
      if (next === null) return null;
      cur = next;
    }
    return cur;
  }

  /** The path a checked member path leads to through the archive's symlinks (after `finish`). */
  resolve(p: string): string {
    const parts = memberPath(p).split('/');
    return (this.walk([], parts.join('/'), p, { hops: 0 }) ?? parts).join('/');
  }
}

/** Checks a whole member list; throws UnsafeMemberError naming the first refused member. */
export function checkMembers(
  archive: string,
  members: Iterable<MemberInfo>,
  opts: GuardOptions = {}
): MemberGuard {
  const guard = new MemberGuard(archive, opts);
  for (const m of members) guard.admit(m);
  guard.finish();
  return guard;
}

/**
 * Writes members (in order) below `dir`, after checking them all: nothing is written when one
 * is refused. Files are created exclusively (never through, nor over, anything already there).
 */
export async function extractMembers(
  archive: string,
  members: readonly Member[],
  dir: string
): Promise<void> {
  checkMembers(archive, members);
  const root = path.resolve(dir);
  await fs.mkdir(root, { recursive: true });
  for (const m of members) {
    const rel = memberPath(m.name);
    if (!rel) continue;
    const dest = path.join(root, ...rel.split('/'));
    if (m.type === 'directory') {
      await fs.mkdir(dest, { recursive: true });
      continue;
    }
    await fs.mkdir(path.dirname(dest), { recursive: true });
    if (m.type === 'symlink') await fs.symlink(m.linkname ?? '', dest);
    else await fs.writeFile(dest, m.data, { mode: m.mode & 0o111 ? 0o755 : 0o644, flag: 'wx' });
  }
}

/**
 * Checks a zip's members (a wheel from a cache entry, a build or the output directory) without
 * unpacking it; only symlink entries are read (their data is the target). Zip names that are
 * absolute or climb are already refused by the reader (ZipReadError).
 */
export async function checkZipMembers(
  source: ZipSource,
  archive: string,
  opts: GuardOptions = {}
): Promise<void> {
  const guard = new MemberGuard(archive, opts);
  await walkZip(source, async (e) => {
    const type = zipMemberType(e.mode, e.isDirectory);
    guard.admit({
      name: e.name,
      type,
      linkname: type === 'symlink' ? (await e.read()).toString('utf8') : undefined
    });
  });
  guard.finish();
}
