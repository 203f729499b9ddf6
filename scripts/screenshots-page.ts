/**
 * The pure half of `npm run screenshots`: which reports to picture (rendered from the report
 * fixtures), the HTML page GitHub would make of each (GFM), and Chromium's argv.
 */
import { Marked } from 'marked';
import { aggregate, JobReport } from '../src/report/aggregate.js';
import { compareWithBase } from '../src/report/compare.js';
import { renderComment, renderJobSummary, renderSummary } from '../src/report/markdown.js';
import { nativeJob, pureJob, verifyReport } from '../__tests__/unit/report-fixtures.js';

export interface Shot {
  /** File name stem: NAME.html, NAME.png. */
  name: string;
  markdown: string;
  /** GitHub renders a newline in a comment as a line break; in a job summary it does not. */
  breaks: boolean;
  /** Unfold every <details>, to look at what a reader has to click for. */
  open: boolean;
}

/** GitHub's content column is about 1012 px wide for summaries and ~780 px for comments. */
export const WIDTH = { summary: 1012, comment: 780 } as const;

export function shots(): Shot[] {
  const jobs: JobReport[] = [
    { dir: '/a', label: 'sdist-any', manifest: pureJob(), repro: null },
    { dir: '/b', label: 'manylinux-x86_64', manifest: nativeJob(), repro: null },
    { dir: '/c', label: 'verify', manifest: null, repro: verifyReport() }
  ];
  const agg = aggregate(jobs);
  const base = compareWithBase(
    agg,
    aggregate([{ dir: '/x', label: 'base', manifest: pureJob('1.1.0', 5000), repro: null }])
  );
  // Links as a run on github.com would give them (runLinks and the upload's id).
  const run = 'https://github.com/octo/greeter/actions/runs/4242';
  const links = {
    run,
    sha: '0123456789abcdef0123456789abcdef01234567',
    commit: 'https://github.com/octo/greeter/commit/0123456789abcdef0123456789abcdef01234567'
  };
  const summary = renderSummary(agg, { base, links });
  const comment = renderComment(agg, base, {
    ...links,
    artifact: `${run}/artifacts/77`
  });
  const pure = renderJobSummary(jobs[0], { links });
  const verifyOnly = renderJobSummary(
    { dir: '/v', label: 'any', manifest: null, repro: verifyReport() },
    { links }
  );
  return [
    { name: 'summary', markdown: summary, breaks: false, open: false },
    { name: 'summary-open', markdown: summary, breaks: false, open: true },
    { name: 'comment', markdown: comment, breaks: true, open: false },
    { name: 'comment-open', markdown: comment, breaks: true, open: true },
    { name: 'job-summary-pure', markdown: pure, breaks: false, open: false },
    { name: 'job-summary-verify', markdown: verifyOnly, breaks: false, open: true }
  ];
}

/** GitHub colours ```diff blocks; marked does not, so the page does it line by line. */
const DIFF_COLOURS = `for (const c of document.querySelectorAll('code.language-diff')) {
  c.innerHTML = c.innerHTML.split('\\n').map((l) => {
    const s = /^(\\+\\+\\+|---)/.test(l) ? 'font-weight:bold' : /^@@/.test(l) ? 'color:#8250df'
      : /^\\+/.test(l) ? 'color:#116329;background:#dafbe1' : /^-/.test(l) ? 'color:#82071e;background:#ffebe9' : '';
    return s ? '<span style="display:inline-block;width:100%;' + s + '">' + l + '</span>' : l;
  }).join('\\n');
}`;

/** A standalone page: GitHub's markdown CSS, the rendered markdown, and a height probe. */
export function htmlPage(shot: Shot, css: string): string {
  const body = new Marked({ gfm: true, breaks: shot.breaks }).parse(shot.markdown, {
    async: false
  });
  const width = shot.name.startsWith('comment') ? WIDTH.comment : WIDTH.summary;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${shot.name}</title>
<style>
${css}
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: border-box; width: ${width}px; padding: 24px 32px; }
</style>
</head>
<body>
<article class="markdown-body">
${body}
</article>
<script>
${shot.open ? "for (const d of document.querySelectorAll('details')) d.open = true;" : ''}
${DIFF_COLOURS}
document.body.dataset.height = String(document.documentElement.scrollHeight);
</script>
</body>
</html>
`;
}

/** Flags for a headless Chromium that stays offline and leaves nothing behind in $HOME. */
export function chromiumFlags(profileDir: string, width: number, height: number): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    '--force-device-scale-factor=1',
    `--user-data-dir=${profileDir}`,
    `--window-size=${width},${height}`
  ];
}

/** First pass: print the DOM after the probe ran, to learn the page's height. */
export function dumpDomArgv(exe: string, profileDir: string, width: number, url: string): string[] {
  return [exe, ...chromiumFlags(profileDir, width, 800), '--dump-dom', url];
}

/** Second pass: the picture, the window as tall as the page. */
export function screenshotArgv(
  exe: string,
  profileDir: string,
  width: number,
  height: number,
  url: string,
  png: string
): string[] {
  return [exe, ...chromiumFlags(profileDir, width, height), `--screenshot=${png}`, url];
}

export function heightFromDom(dom: string): number {
  const m = /data-height="(\d+)"/.exec(dom);
  if (!m) throw new Error('the page did not report its height (did its script run?)');
  return Number(m[1]);
}
