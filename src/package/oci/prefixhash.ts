import { promises as fs } from 'node:fs';
import { Hash } from 'node:crypto';
import { IHasher, createSHA256 } from 'hash-wasm';
import { hashFile } from '../../runtime/fsutil.js';

/**
 * The SHA-256 of an image archive is the hash of the base's stored prefix followed by our own
 * members. Hashing the prefix is most of what writing an archive costs (half a second for a
 * 500 MB base), and it is the same for every build on that base: the hash state after the
 * prefix is kept with the stored base (hash-wasm can save and load it; Node's crypto cannot),
 * and each archive resumes from it. A state that does not load (another hash-wasm) is ignored.
 */

/** Names the state's format: a state saved by another hash-wasm is not loaded. */
export const PREFIX_HASH_IMPL = 'hash-wasm-4/sha256';

/** A SHA-256 in progress, from either implementation. */
export interface ResumableHash {
  update(data: Buffer): void;
  digestHex(): string;
}

/** The saved hash state (base64) after the first `size` bytes of `file`. */
export async function prefixHashState(file: string, size: number): Promise<string> {
  const h = await createSHA256();
  h.init();
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    for (let left = size; left > 0;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, left));
      if (bytesRead === 0) throw new Error(`${file}: shorter than ${size} bytes`);
      h.update(buf.subarray(0, bytesRead));
      left -= bytesRead;
    }
  } finally {
    await fh.close();
  }
  return Buffer.from(h.save()).toString('base64');
}

/** A saved hash state and the implementation that saved it. */
export interface HashState {
  impl: string;
  state: string;
}

/** The hash after the prefix: resumed from `state` when it loads, else the file hashed again. */
export async function prefixHash(
  file: string,
  size: number,
  state?: HashState
): Promise<ResumableHash> {
  if (state?.impl === PREFIX_HASH_IMPL) {
    const resumed = await resume(state.state);
    if (resumed) return resumed;
  }
  return nodeHash(await hashFile(file, size));
}

async function resume(state: string): Promise<ResumableHash | null> {
  let h: IHasher;
  try {
    h = await createSHA256();
    h.load(Buffer.from(state, 'base64'));
  } catch {
    return null;
  }
  return { update: (d) => void h.update(d), digestHex: () => h.digest('hex') };
}

function nodeHash(h: Hash): ResumableHash {
  return { update: (d) => void h.update(d), digestHex: () => h.digest('hex') };
}
