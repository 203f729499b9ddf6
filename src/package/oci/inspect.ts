import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import tar from 'tar-stream';
import { FailureError } from '../../errors.js';
import {
  MemberGuard,
  UnsafeMemberError,
  linkTargetPath,
  memberPath,
  tarMemberType
} from '../../runtime/extract.js';
import { BaseImage, BaseLayer } from './base.js';
import { MEDIA } from './json.js';

/** What the base image's file system says about its Python. */
export interface BasePython {
  /** Absolute path of the interpreter binary (symlinks resolved), e.g. /usr/bin/python3.11. */
  executable: string;
  /** "3.11". */
  version: string;
  /** From the binary's ELF header, as in wheel tags (x86_64, aarch64 ...). */
  arch: string;
  libc?: { kind: 'glibc'; version: [number, number] } | { kind: 'musl'; version: [number, number] };
  /** The Debian package dpkg's database says installed the interpreter (python3.11-minimal). */
  debPackage?: string;
}

interface Node {
  type: 'file' | 'dir' | 'symlink' | 'link';
  linkname?: string;
  head?: Buffer;
  glibc?: [number, number];
  /** A dpkg file list's paths. */
  list?: string[];
}

const ELF_MACHINES: Record<number, string> = {
  0x3e: 'x86_64',
  0xb7: 'aarch64',
  0x03: 'i686',
  0x28: 'armv7l',
  0x15: 'ppc64le',
  0x16: 's390x',
  0xf3: 'riscv64'
};
const PY_BINARY = /(^|\/)bin\/python[\d.]*$/;
const GLIBC_FILE = /(^|\/)(libc\.so\.6|libc-\d+\.\d+\.so)$/;
/** dpkg's file lists of Python packages: which package owns the interpreter. */
const DPKG_LIST = /^var\/lib\/dpkg\/info\/[^/]*python[^/]*\.list$/;

/** Replays the layers' file lists (whiteouts included), keeping what Python detection needs. */
export async function scanLayers(layers: BaseLayer[], ref: string): Promise<Map<string, Node>> {
  const fsMap = new Map<string, Node>();
  for (const layer of layers) {
    if (layer.mediaType === MEDIA.layerZstd || /zstd/.test(layer.mediaType)) {
      throw new FailureError(
        `base ${ref}: layer ${layer.digest} is zstd-compressed, which Albatross cannot read yet`
      );
    }
    const guard = new MemberGuard(`layer ${layer.digest}`, { rootfs: true });
    const extract = tar.extract();
    extract.on('entry', (h, stream, next) => {
      let name: string;
      try {
        name = guard.admit({
          name: h.name,
          type: tarMemberType(h.type),
          linkname: h.linkname ?? undefined
        });
      } catch (e) {
        stream.on('error', () => undefined).resume();
        next(e as Error);
        return;
      }
      const chunks: Buffer[] = [];
      let keep = 0;
      if (name) {
        const base = path.posix.basename(name);
        const dir = path.posix.dirname(name);
        if (base === '.wh..wh..opq') removeUnder(fsMap, dir === '.' ? '' : dir);
        else if (base.startsWith('.wh.')) {
          const victim = dir === '.' ? base.slice(4) : `${dir}/${base.slice(4)}`;
          fsMap.delete(victim);
          removeUnder(fsMap, victim);
        } else if (h.type === 'directory') fsMap.set(name, { type: 'dir' });
        else if (h.type === 'symlink')
          fsMap.set(name, { type: 'symlink', linkname: h.linkname ?? '' });
        else if (h.type === 'link')
          fsMap.set(name, { type: 'link', linkname: memberPath(h.linkname ?? '') });
        else if (h.type === 'file' || h.type === 'contiguous-file') {
          const node: Node = { type: 'file' };
          fsMap.set(name, node);
          if (PY_BINARY.test(name)) keep = 64;
          if (GLIBC_FILE.test(name) || DPKG_LIST.test(name)) keep = Infinity;
          if (keep) {
            let got = 0;
            stream.on('data', (chunk: unknown) => {
              const c = chunk as Buffer;
              if (got < keep) chunks.push(c);
              got += c.length;
            });
            stream.on('end', () => {
              const all = Buffer.concat(chunks);
              if (keep === 64) node.head = all.subarray(0, 64);
              else if (DPKG_LIST.test(name)) node.list = all.toString('utf8').split('\n');
              else node.glibc = glibcVersion(all);
              next();
            });
            return;
          }
        }
      }
      stream.on('end', () => next());
      stream.resume();
    });
    try {
      const src: Readable = createReadStream(layer.file);
      if (layer.mediaType === MEDIA.layerGzip) await pipeline(src, zlib.createGunzip(), extract);
      else await pipeline(src, extract);
      guard.finish();
    } catch (e) {
      if (e instanceof UnsafeMemberError) throw new FailureError(`base ${ref}: ${e.message}`);
      throw new FailureError(
        `base ${ref}: cannot read layer ${layer.digest} (${(e as Error).message})`
      );
    }
  }
  return fsMap;
}

function removeUnder(m: Map<string, Node>, dir: string): void {
  const prefix = dir ? dir + '/' : '';
  for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k);
}

function glibcVersion(libc: Buffer): [number, number] | undefined {
  const text = libc.toString('latin1');
  const m = /release version (\d+)\.(\d+)/.exec(text);
  if (m) return [parseInt(m[1], 10), parseInt(m[2], 10)];
  let best: [number, number] | undefined;
  for (const v of text.matchAll(/GLIBC_(\d+)\.(\d+)/g)) {
    const c: [number, number] = [parseInt(v[1], 10), parseInt(v[2], 10)];
    if (!best || c[0] > best[0] || (c[0] === best[0] && c[1] > best[1])) best = c;
  }
  return best;
}

/** Follows symlinks and hard links to a regular file; null when broken or looping. */
function resolveFile(m: Map<string, Node>, p: string): { path: string; node: Node } | null {
  let cur = p;
  for (let i = 0; i < 40; i++) {
    const n = m.get(cur);
    if (!n) return null;
    if (n.type === 'file') return { path: cur, node: n };
    if (n.type === 'dir' || !n.linkname) return null;
    const next = n.type === 'link' ? n.linkname : linkTargetPath(cur, n.linkname);
    if (!next) return null;
    cur = next;
  }
  return null;
}

/** Finds the base image's CPython: interpreter, version, architecture and C library. */
export function findBasePython(m: Map<string, Node>, ref: string): BasePython {
  const names = [...m.keys()];
  const versioned = (dir: string): string[] =>
    names
      .filter((n) => new RegExp(`^${dir}/python3\\.\\d+$`).test(n))
      .sort((a, b) => minor(b) - minor(a));
  const candidates = [
    'usr/local/bin/python3',
    ...versioned('usr/local/bin'),
    'usr/bin/python3',
    ...versioned('usr/bin'),
    'usr/local/bin/python',
    'usr/bin/python'
  ];
  for (const c of candidates) {
    const f = resolveFile(m, c);
    if (!f || !f.node.head) continue;
    const head = f.node.head;
    if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) continue;
    const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
    const arch = ELF_MACHINES[machine] ?? `elf-machine-${machine}`;
    const prefix = c.startsWith('usr/local/') ? 'usr/local' : 'usr';
    let version = /python(\d+\.\d+)$/.exec(f.path)?.[1] ?? /python(\d+\.\d+)$/.exec(c)?.[1];
    if (!version) {
      const lib = names
        .filter((n) => new RegExp(`^${prefix}/lib/python3\\.\\d+/os\\.py$`).test(n))
        .sort((a, b) => minor(b) - minor(a))[0];
      version = lib ? /python(\d+\.\d+)/.exec(lib)?.[1] : undefined;
    }
    if (!version) continue;
    const executable = '/' + f.path;
    const debPackage = dpkgOwner(m, executable);
    return {
      executable,
      version,
      arch,
      libc: findLibc(m, arch),
      ...(debPackage ? { debPackage } : {})
    };
  }
  throw new FailureError(
    `base ${ref}: no Python interpreter found (looked for /usr/local/bin/python3 and /usr/bin/python3); ` +
      'use a base image with CPython installed'
  );
}

/** The package whose dpkg file list holds `file` (`name:arch.list` → name), if any. */
function dpkgOwner(m: Map<string, Node>, file: string): string | undefined {
  const owners = [...m]
    .filter(([name, node]) => DPKG_LIST.test(name) && node.list?.includes(file))
    .map(([name]) => path.posix.basename(name, '.list').split(':')[0])
    .sort();
  return owners[0];
}

function minor(p: string): number {
  return parseInt(/python3\.(\d+)/.exec(p)?.[1] ?? '0', 10);
}

function findLibc(m: Map<string, Node>, arch: string): BasePython['libc'] {
  for (const [name] of m) {
    if (/(^|\/)lib\/ld-musl-[^/]+\.so\.1$/.test(name)) return { kind: 'musl', version: [1, 2] };
  }
  let best: [number, number] | undefined;
  for (const [name, node] of m) {
    if (!GLIBC_FILE.test(name)) continue;
    const f = node.type === 'file' ? node : resolveFile(m, name)?.node;
    if (f?.glibc && (!best || f.glibc[1] > best[1])) best = f.glibc;
  }
  void arch;
  return best ? { kind: 'glibc', version: best } : undefined;
}

/** Scans the base and finds its Python; errors name the base reference. */
export async function inspectBase(base: BaseImage): Promise<BasePython> {
  return findBasePython(await scanLayers(base.layers, base.ref), base.ref);
}
