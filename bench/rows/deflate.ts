/**
 * Deflate row: the pinned JavaScript deflate every archive is written with (runtime/deflate.ts)
 * against Node's own zlib, on the same 2 MB input at level 6 (source text plus a native library,
 * what wheels and layers hold). The note gives both compressed sizes.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { deflateRaw } from '../../src/runtime/deflate.js';
import { BenchRow, sameLoop } from '../run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIZE = 2 * 1024 * 1024;
const N = 9;

/** 1.6 MB of TypeScript's declaration files and 0.4 MB of esbuild's native binary. */
async function input(): Promise<Buffer> {
  const lib = path.join(ROOT, 'node_modules', 'typescript', 'lib');
  const texts: Buffer[] = [];
  let n = 0;
  for (const f of (await fs.readdir(lib)).filter((x) => x.endsWith('.d.ts')).sort()) {
    if (n >= SIZE * 0.8) break;
    const b = await fs.readFile(path.join(lib, f));
    texts.push(b);
    n += b.length;
  }
  const bin = await fs.readFile(
    path.join(ROOT, 'node_modules', '@esbuild', 'linux-x64', 'bin', 'esbuild')
  );
  const text = Buffer.concat(texts).subarray(0, SIZE * 0.8);
  return Buffer.concat([text, bin.subarray(0, SIZE - text.length)]);
}

export default async function deflate(): Promise<BenchRow[]> {
  const data = await input();
  let ours = 0;
  let peer = 0;
  const t = await sameLoop(
    N,
    async () => (ours = deflateRaw(data, 6).length),
    async () => (peer = zlib.deflateRawSync(data, { level: 6 }).length)
  );
  return [
    {
      name: 'deflate: 2 MB at level 6 (fflate, pinned)',
      unit: 's',
      ours: t.ours,
      peer: t.peer,
      peerName: `node:zlib ${process.versions.zlib}`,
      ratio: t.ours / t.peer,
      note: `${ours} bytes against ${peer}`
    }
  ];
}
