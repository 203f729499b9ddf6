import * as crcModule from 'buffer-crc32';
import { deflateSync } from 'fflate';

// buffer-crc32's ESM build has only a default export, its types an `export =`: take either.
const crc32 = (crcModule as unknown as { default?: typeof crcModule }).default ?? crcModule;

/**
 * The one deflate implementation every archive Albatross writes is compressed with: fflate,
 * pinned to an exact version and bundled in dist/. Node's zlib differs between Node builds
 * (Chromium's fork in Node 20+, stock zlib elsewhere) and so would make the same inputs give
 * different bytes on another Node; a JavaScript deflate gives the same bytes on any Node and CPU.
 * Changing the version (or the level) changes artifact bytes: the pinned digests in
 * __tests__/unit/runtime-deflate.test.ts say so.
 */
export const DEFLATE_IMPL = 'fflate 0.8.3';

/** Raw DEFLATE (RFC 1951) of `data` at `level` (0–9). */
export function deflateRaw(data: Uint8Array, level: DeflateLevel): Buffer {
  const out = deflateSync(data, { level });
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

export type DeflateLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/** CRC-32 (IEEE) of `data`, as zip and gzip record it. */
export function crc32Of(data: Uint8Array): number {
  return crc32.unsigned(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/**
 * The fixed gzip member header: no flags (no name, comment or extra field), mtime 0, XFL 0,
 * OS 3 (Unix), whatever the level or platform.
 */
export const GZIP_HEADER: readonly number[] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];

/** A gzip member (RFC 1952) of `data` with the fixed header above. */
export function gzipFixed(data: Uint8Array, level: DeflateLevel): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32Of(data), 0);
  trailer.writeUInt32LE(data.byteLength % 0x100000000, 4);
  return Buffer.concat([Buffer.from(GZIP_HEADER), deflateRaw(data, level), trailer]);
}
