import { IndexOptions } from '../config/options.js';

/**
 * Index options reach every pip and build call through pip's own environment variables, so
 * they also reach pip runs started by `python -m build` for isolated build environments and
 * commands inside containers (pass the same variables with `-e`).
 */
export function pipEnv(opts: IndexOptions): Record<string, string> {
  const env: Record<string, string> = { PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
  if (opts.indexUrl) env.PIP_INDEX_URL = opts.indexUrl;
  if (opts.extraIndexUrl.length) env.PIP_EXTRA_INDEX_URL = opts.extraIndexUrl.join(' ');
  if (opts.findLinks.length) env.PIP_FIND_LINKS = opts.findLinks.join(' ');
  if (opts.noIndex) env.PIP_NO_INDEX = '1';
  return env;
}

/** The same options as pip command-line arguments, for explicit argv. */
export function pipIndexArgs(opts: IndexOptions): string[] {
  const args: string[] = [];
  if (opts.noIndex) args.push('--no-index');
  else {
    if (opts.indexUrl) args.push('--index-url', opts.indexUrl);
    for (const u of opts.extraIndexUrl) args.push('--extra-index-url', u);
  }
  for (const f of opts.findLinks) args.push('--find-links', f);
  return args;
}
