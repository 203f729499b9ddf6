import { execFileSync } from 'node:child_process';
import { Options } from '../../src/config/options.js';
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
  const get = (k: string): string[] => {
    const m = new RegExp(`^(?:global|:env:)\\.${k}='([^']*)'`, 'm').exec(text);
    return m ? m[1].split(/\s+/).filter(Boolean) : [];
  };
  const indexes = [...get('index-url'), ...get('extra-index-url')];
  return {
    indexUrl: indexes[0] ?? '',
    extraIndexUrl: indexes.slice(1),
    // The pinned inspection tools are not in the local index: their wheelhouse is.
    findLinks: [...get('find-links'), toolWheelhouse()],
    noIndex: false
  };
}
