/**
 * `npm run bench`: every module in bench/rows/ returns rows; each row times Albatross against a
 * peer run in the same loop and prints the ratio (and the goal when the issue sets one).
 * Speed lives here, never in timed tests.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchRow {
  name: string;
  /** What was measured, e.g. "s", "bytes". */
  unit: string;
  ours: number;
  peer: number;
  peerName: string;
  /** ours / peer. */
  ratio: number;
  /** Goal for the ratio (≤), when set. */
  goal?: number;
  note?: string;
}

export type BenchModule = { default: (only?: string) => Promise<BenchRow[]> };

async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const only = process.argv[2];
  const files = (await fs.readdir(path.join(here, 'rows'))).filter((f) => f.endsWith('.ts')).sort();
  const rows: BenchRow[] = [];
  for (const f of files) {
    if (only && !f.includes(only)) continue;
    const mod = (await import(pathToFileURL(path.join(here, 'rows', f)).href)) as BenchModule;
    try {
      rows.push(...(await mod.default(only)));
    } catch (e) {
      process.stderr.write(`bench ${f}: ${(e as Error).message}\n`);
      process.exitCode = 1;
    }
  }
  const head = ['row', 'albatross', 'peer', 'ratio', 'goal', 'note'];
  const body = rows.map((r) => [
    r.name,
    `${fmt(r.ours)} ${r.unit}`,
    `${fmt(r.peer)} ${r.unit} (${r.peerName})`,
    r.ratio.toFixed(3),
    r.goal === undefined ? '' : `≤ ${r.goal}${r.ratio <= r.goal ? ' ✓' : ' ✗'}`,
    r.note ?? ''
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  for (const line of [head, ...body])
    process.stdout.write(line.map((c, i) => c.padEnd(widths[i])).join('  ') + '\n');
}

function fmt(n: number): string {
  return n >= 1000 ? n.toFixed(0) : n.toPrecision(3);
}

/** Times `fn` and `peer` alternately `n` times; returns median seconds of each. */
export async function sameLoop(
  n: number,
  fn: () => Promise<unknown>,
  peer: () => Promise<unknown>
): Promise<{ ours: number; peer: number }> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = process.hrtime.bigint();
    await fn();
    a.push(Number(process.hrtime.bigint() - t) / 1e9);
    t = process.hrtime.bigint();
    await peer();
    b.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  return { ours: median(a), peer: median(b) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// Not awaited at top level: rows import sameLoop from this module, and a top-level await here
// would leave that import cycle waiting on itself (node exits 13).
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]))
  void main();
