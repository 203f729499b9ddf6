import { execFileSync } from 'node:child_process';
import { Options } from '../../src/config/options.js';
import { parsePipConfigList } from '../../src/runtime/pipconfig.js';
import { toolWheelhouse } from './tool-wheelhouse.js';

export type IndexOptions = Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'>;

let cached: IndexOptions | undefined;

/**
 * The machine's local package index, read from `pip config list`, passed explicitly so pip
 * never waits on the unreachable default index. Shared by tests and benchmarks (no jest here).
 */
export function localIndex(): IndexOptions {
  // `pip config list` takes seconds: read it once per process.
  cached ??= readLocalIndex();
  return { ...cached, extraIndexUrl: [...cached.extraIndexUrl], findLinks: [...cached.findLinks] };
}

function readLocalIndex(): IndexOptions {
  let text = '';
  try {
    text = execFileSync('pip', ['config', 'list'], { encoding: 'utf8' });
  } catch {
    /* no pip config */
  }
  const config = parsePipConfigList(text);
  const indexes = [...(config.indexUrl ? [config.indexUrl] : []), ...config.extraIndexUrl];
  return {
    indexUrl: indexes[0] ?? '',
    extraIndexUrl: indexes.slice(1),
    // The pinned inspection tools are not in the local index: their wheelhouse is.
    findLinks: [...config.findLinks, toolWheelhouse()],
    noIndex: false
  };
}

/** The same local index as CLI flags, for tests that drive the CLI binary. */
export function localIndexFlags(): string[] {
  const idx = localIndex();
  return [
    ...(idx.indexUrl ? ['--index-url', idx.indexUrl] : []),
    ...idx.extraIndexUrl.flatMap((u) => ['--extra-index-url', u]),
    ...idx.findLinks.flatMap((f) => ['--find-links', f])
  ];
}
