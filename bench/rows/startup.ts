/**
 * Start-up rows: the CLI's `--version` and `detect` on a static fixture, each against a bare
 * `node -e 0` in the same loop (the floor any Node CLI pays). The bundled CLI in dist/ is
 * measured when it exists, else the sources through tsx.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execCapture } from '../../src/runtime/exec.js';
import { BenchRow, sameLoop } from '../run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const N = 5;

async function run(argv: string[]): Promise<void> {
  const r = await execCapture(argv, { cwd: ROOT });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
}

export default async function startup(): Promise<BenchRow[]> {
  const fixture = path.join(ROOT, 'fixtures', 'detect-setuptools-pep621');
  const bundled = path.join(ROOT, 'dist', 'cli', 'index.js');
  let cli = ['node', '--import', 'tsx', path.join(ROOT, 'src', 'cli', 'index.ts')];
  let note = 'src via tsx (no dist/)';
  if (existsSync(bundled)) {
    // A dist/ older than the sources may lack detect: then the sources are measured.
    const ok = await run(['node', bundled, 'detect', fixture, '--json']).then(
      () => true,
      () => false
    );
    cli = ok ? ['node', bundled] : cli;
    note = ok ? 'dist/cli/index.js' : 'src via tsx (dist/ is stale)';
  }
  const peer = (): Promise<void> => run(['node', '-e', '0']);
  const rows: BenchRow[] = [];
  for (const [name, argv] of [
    ['startup: albatross --version', [...cli, '--version']],
    ['startup: albatross detect (static pyproject)', [...cli, 'detect', fixture, '--json']]
  ] as const) {
    await run([...argv]); // warm the file cache once
    const t = await sameLoop(N, () => run([...argv]), peer);
    rows.push({
      name,
      unit: 's',
      ours: t.ours,
      peer: t.peer,
      peerName: 'node -e 0',
      ratio: t.ours / t.peer,
      note
    });
  }
  return rows;
}
