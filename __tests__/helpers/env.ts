import { it, test } from '@jest/globals';
import { Options, defaultOptions } from '../../src/config/options.js';
import { localIndex } from './local-index.js';

export { localIndex };

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
