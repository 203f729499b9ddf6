import { describe, expect, it } from '@jest/globals';
import {
  chromiumFlags,
  dumpDomArgv,
  heightFromDom,
  htmlPage,
  screenshotArgv,
  shots
} from '../../scripts/screenshots-page.js';
import { COMMENT_MARKER } from '../../src/report/markdown.js';

/** The pure half of `npm run screenshots` (the Chromium run itself is the script's job). */
describe('screenshots: pages and argv', () => {
  const all = shots();

  it('pictures the summary and the PR comment of the fixtures, folded and unfolded', () => {
    expect(all.map((s) => s.name)).toEqual([
      'summary',
      'summary-open',
      'comment',
      'comment-open',
      'job-summary-pure',
      'job-summary-verify'
    ]);
    expect(all.find((s) => s.name === 'comment')!.markdown.startsWith(COMMENT_MARKER)).toBe(true);
  });

  it('renders GFM: tables become tables, <details> stay, the fixture log stays escaped', () => {
    const page = htmlPage(all[0], '/* css */');
    expect(page).toContain('<table>');
    expect(page).toContain('<details>');
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('/* css */');
    expect(page).toContain('<article class="markdown-body">');
  });

  it('unfolds <details> only for the -open pictures; line breaks only in comments', () => {
    const unfold = 'd.open = true';
    expect(htmlPage(all[0], '')).not.toContain(unfold);
    expect(htmlPage(all[1], '')).toContain(unfold);
    const md = { name: 'x', markdown: 'one\ntwo', open: false };
    expect(htmlPage({ ...md, breaks: true }, '')).toContain('one<br>two');
    expect(htmlPage({ ...md, breaks: false }, '')).toContain('one\ntwo');
  });

  it.each([
    [
      'dump the DOM',
      dumpDomArgv('chromium', '/p', 780, 'file:///s.html'),
      ['--window-size=780,800', '--dump-dom', 'file:///s.html']
    ],
    [
      'take the picture',
      screenshotArgv('chromium', '/p', 1012, 1400, 'file:///s.html', '/o/s.png'),
      ['--window-size=1012,1400', '--screenshot=/o/s.png', 'file:///s.html']
    ]
  ])('%s: headless, offline, a fresh profile', (_case, argv, tail) => {
    expect(argv[0]).toBe('chromium');
    for (const f of ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic'])
      expect(argv).toContain(f);
    for (const f of ['--disable-background-networking', '--disable-component-update'])
      expect(argv).toContain(f);
    expect(argv).toContain('--user-data-dir=/p');
    expect(argv.slice(-tail.length)).toEqual(tail);
  });

  it('reads the height the page reported, and says when it did not', () => {
    expect(heightFromDom('<body data-height="1337">')).toBe(1337);
    expect(() => heightFromDom('<body>')).toThrow(/did not report its height/);
    expect(chromiumFlags('/p', 1, 2)).toContain('--no-first-run');
  });
});
