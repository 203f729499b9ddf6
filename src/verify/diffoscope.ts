import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { commandExists, execCapture } from '../runtime/exec.js';
import { ownDir } from '../manifest/paths.js';
import { Logger } from '../runtime/log.js';

/**
 * When diffoscope is installed, an HTML report per irreproducible artifact under
 * OUT/.albatross/diffoscope/. Optional: everything else works without it. Returns paths relative to OUT.
 */
export async function diffoscopeReports(
  outDir: string,
  pairs: Array<{ file: string; a: string; b: string }>,
  log: Logger
): Promise<string[]> {
  if (!pairs.length || !(await commandExists('diffoscope'))) return [];
  const dir = path.join(ownDir(outDir), 'diffoscope');
  await fs.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const p of pairs) {
    const html = path.join(dir, `${p.file}.html`);
    // Exit 1 means "differences found", which is expected here.
    const r = await execCapture(['diffoscope', '--html', html, p.a, p.b], {
      timeoutMs: 10 * 60_000
    }).catch((e: Error) => ({ code: -1, output: e.message }));
    if (r.code === 0 || r.code === 1) written.push(path.relative(outDir, html));
    else log.warn(`diffoscope failed for ${p.file} (exit ${r.code})`);
  }
  return written;
}
