/**
 * `npm run screenshots`: renders the job summary and the PR comment of the report fixtures to
 * HTML (GFM, GitHub's markdown CSS) and pictures them with headless Chromium (Debian package
 * `chromium`; `CHROMIUM=/path` picks another), so anyone can look before changing a report.
 * Writes screenshots/NAME.html and NAME.png (ignored by git); prints where.
 */
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execCapture } from '../src/runtime/exec.js';
import { tempDir } from '../src/runtime/fsutil.js';
import {
  WIDTH,
  dumpDomArgv,
  heightFromDom,
  htmlPage,
  screenshotArgv,
  shots
} from './screenshots-page.js';

const OUT = path.resolve(process.argv[2] ?? 'screenshots');
const EXE = process.env.CHROMIUM || 'chromium';

/** Runs Chromium once, with a profile of its own that is removed afterwards. */
async function chromium(argvFor: (profileDir: string) => string[]): Promise<string> {
  const profile = await tempDir('albatross-chromium-');
  const argv = argvFor(profile.dir);
  try {
    const r = await execCapture(argv, { timeoutMs: 120_000 }).catch((e: Error) => {
      throw new Error(
        `${argv[0]}: ${e.message} (install it with \`apt-get install chromium fonts-noto-color-emoji\`, or set CHROMIUM)`
      );
    });
    if (r.code !== 0) throw new Error(`${argv[0]} exited with ${r.code}: ${r.stderr.slice(-1500)}`);
    return r.stdout;
  } finally {
    await profile.cleanup();
  }
}

const css = await fs.readFile(
  createRequire(import.meta.url).resolve('github-markdown-css/github-markdown-light.css'),
  'utf8'
);
await fs.mkdir(OUT, { recursive: true });
for (const shot of shots()) {
  const html = path.join(OUT, `${shot.name}.html`);
  const png = path.join(OUT, `${shot.name}.png`);
  await fs.writeFile(html, htmlPage(shot, css));
  const width = shot.name.startsWith('comment') ? WIDTH.comment : WIDTH.summary;
  const url = pathToFileURL(html).href;
  const height = heightFromDom(await chromium((p) => dumpDomArgv(EXE, p, width, url)));
  await chromium((p) => screenshotArgv(EXE, p, width, height, url, png));
  process.stdout.write(`${png} (${width}×${height})\n`);
}
