import { execFileSync } from 'node:child_process';
import { it, test } from '@jest/globals';
import { Options, defaultOptions } from '../../src/config/options.js';

/**
 * The machine's local package index, read from `pip config list`, passed explicitly so pip
 * never waits on the unreachable default index.
 */
export function localIndex(): Pick<
  Options,
  'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'
> {
  // `pip config list` takes seconds: read it once per test file.
  localIndexCache ??= readLocalIndex();
  return {
    ...localIndexCache,
    extraIndexUrl: [...localIndexCache.extraIndexUrl],
    findLinks: [...localIndexCache.findLinks]
  };
}
let localIndexCache:
  Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'> | undefined;

function readLocalIndex(): Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'> {
  let text = '';
  try {
    text = execFileSync('pip', ['config', 'list'], { encoding: 'utf8' });
  } catch {
    /* no pip config */
  }
  const get = (k: string): string[] => {
    const m = new RegExp(`^(?:global|:env:)\\.${k}='([^']*)'`, 'm').exec(text);
    return m ? m[1].split(/\s+/).filter(Boolean) : [];
  };
  const indexes = [...get('index-url'), ...get('extra-index-url')];
  return {
    indexUrl: indexes[0] ?? '',
    extraIndexUrl: indexes.slice(1),
    findLinks: get('find-links'),
    noIndex: false
  };
}

/** Options for tests: defaults, the local index, and overrides. */
export function testOptions(overrides: Partial<Options> = {}): Options {
  return defaultOptions({ ...localIndex(), ...overrides });
}

/**
 * `it` when `cond` holds; otherwise a visibly skipped test whose title carries the reason
 * (the skip reporter prints it in the run's summary).
 */
export function itIf(cond: boolean, reason: string): typeof it {
  if (cond) return it;
  const skipped = ((name: string, fn?: () => unknown, timeout?: number) =>
    test.skip(`${name} [SKIPPED: ${reason}]`, fn as never, timeout)) as unknown as typeof it;
  return skipped;
}
