import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { schemeOf } from '../config/checks.js';
import { Options } from '../config/options.js';
import { describeOption } from '../config/resolve.js';
import { ConfigError } from '../errors.js';
import { ownDir, ownPath } from '../manifest/paths.js';
import { parseBase } from '../package/oci/source.js';
import { readableProblem, writableDirProblem } from '../runtime/pathcheck.js';
import { cacheRoot } from '../runtime/toolenv.js';

/**
 * Checks every path option a command reads before it does any work (detect, builds): exit 2
 * naming the option, the path and the problem (`flag --out: /x is a file, not a directory`).
 * Nothing is created. One table says which command reads what.
 */
type PathOption = 'out' | 'cache-dir' | 'indexes' | 'base' | 'pex' | 'in';

const READS: Record<string, PathOption[]> = {
  // detect and plan read no path option of their own: in a workflow, plan runs on another
  // machine than the builds, where a find-links folder may not exist yet.
  detect: [],
  plan: [],
  build: ['out', 'cache-dir', 'indexes'],
  package: ['out', 'cache-dir', 'indexes', 'base', 'pex'],
  verify: ['out', 'cache-dir', 'indexes', 'base', 'pex'],
  report: ['out', 'in'],
  lock: ['cache-dir', 'indexes'],
  run: ['out', 'cache-dir', 'indexes', 'base', 'pex', 'in'],
  all: ['out', 'cache-dir', 'indexes', 'base', 'pex', 'in']
};

/** Local paths among the index options (no scheme, or file://), as pip would open them. */
export function localIndexPaths(
  opts: Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks'>
): { option: string; value: string; path: string }[] {
  const out: { option: string; value: string; path: string }[] = [];
  const add = (option: string, value: string): void => {
    if (!value) return;
    if (/^file:/i.test(value)) {
      try {
        out.push({ option, value, path: decodeURIComponent(new URL(value).pathname) });
      } catch {
        // A malformed URL is the config check's business.
      }
    } else if (!schemeOf(value)) out.push({ option, value, path: value });
  };
  add('index-url', opts.indexUrl);
  for (const u of opts.extraIndexUrl) add('extra-index-url', u);
  for (const f of opts.findLinks) add('find-links', f);
  return out;
}

/** Whether `package` in this command could make an image (so `base` is read). */
function readsBase(opts: Options, command: string): boolean {
  if (!opts.base) return false;
  const formats = opts.format.flatMap((f) => f.split(',')).map((f) => f.trim().toLowerCase());
  if (formats.length) return formats.includes('image');
  // Without `format`, package makes an image whenever `base` is set; run packages nothing.
  return command === 'package';
}

export async function preflight(opts: Options, command: string): Promise<void> {
  const reads = new Set(READS[command] ?? []);
  const fail = (option: string, p: string, problem: string): never => {
    throw new ConfigError(`${describeOption(opts, option)}: ${p} ${problem}`);
  };
  const checks: Promise<void>[] = [];
  const check = (option: string, p: string, problem: Promise<string | undefined>): void => {
    checks.push(problem.then((pr) => (pr ? fail(option, p, pr) : undefined)));
  };
  if (reads.has('out')) {
    const out = path.resolve(opts.projectDir, opts.out);
    check('out', out, writableDirProblem(out));
    // Albatross's own files: OUT/.albatross must be a directory, its manifest a file.
    const own = ownDir(out);
    check('out', own, writableDirProblem(own));
    const manifest = ownPath(out, 'manifest');
    check(
      'out',
      manifest,
      fs.lstat(manifest).then(
        (st) => (st.isFile() ? undefined : 'is not a file'),
        () => undefined
      )
    );
  }
  if (reads.has('cache-dir') && opts.cacheDir !== undefined) {
    const root = cacheRoot(opts);
    check('cache-dir', root, writableDirProblem(root));
  }
  if (reads.has('indexes')) {
    for (const l of localIndexPaths(opts)) {
      // pip reads a find-links HTML page as well as a directory; an index is a directory.
      const kind = l.option === 'find-links' ? 'any' : 'directory';
      check(l.option, l.path, readableProblem(l.path, kind));
    }
  }
  if (reads.has('base') && readsBase(opts, command)) {
    const src = parseBase(opts.base, opts.projectDir);
    if (src.kind === 'docker-archive') check('base', src.path, readableProblem(src.path, 'file'));
    if (src.kind === 'oci') {
      check('base', src.path, readableProblem(src.path, 'directory'));
      const index = path.join(src.path, 'index.json');
      check('base', src.path, readableProblem(index, 'file').then(ociProblem));
    }
  }
  if (reads.has('pex') && opts.pex) {
    const exe = path.resolve(opts.projectDir, opts.pex);
    check('pex', exe, readableProblem(exe, 'file', constants.X_OK));
  }
  if (reads.has('in')) {
    for (const d of opts.in) {
      const abs = path.resolve(d);
      check('in', abs, readableProblem(abs, 'directory'));
    }
  }
  // Report the first problem in table order, not whichever check answered first.
  const settled = await Promise.allSettled(checks);
  const first = settled.find((s) => s.status === 'rejected');
  if (first) throw (first as PromiseRejectedResult).reason;
}

function ociProblem(p: string | undefined): string | undefined {
  return p ? 'is not an OCI layout (no readable index.json)' : undefined;
}
