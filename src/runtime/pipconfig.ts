import { Options } from '../config/options.js';
import { execCapture } from './exec.js';

/** Where pip looks for packages: the index options as pip's configuration or Albatross's give them. */
export type IndexSettings = Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'>;

/** pip's own default index, used when neither the options nor pip's configuration name one. */
export const PYPI_SIMPLE = 'https://pypi.org/simple';

/**
 * The index settings in `pip config list` output (`global.index-url='…'`, `:env:.find-links='…'`
 * for PIP_* variables, `install.…` for the install command); the first source listed wins.
 */
export function parsePipConfigList(text: string): IndexSettings {
  const get = (key: string): string[] => {
    const m = new RegExp(`^(?::env:|global|install)\\.${key}='([^']*)'`, 'm').exec(text);
    return m ? m[1].split(/\s+/).filter(Boolean) : [];
  };
  const noIndex = get('no-index')[0];
  return {
    indexUrl: get('index-url')[0] ?? '',
    extraIndexUrl: get('extra-index-url'),
    findLinks: get('find-links'),
    noIndex: noIndex !== undefined && /^(1|true|yes|on)$/i.test(noIndex)
  };
}

/** Every URL in `text` with its user and password replaced: errors never show index credentials. */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]*@/gi, '$1***@');
}

/**
 * The indexes pip was pointed at, in words: Albatross's index options when set (they reach pip
 * as arguments), else what pip's configuration says, else PyPI.
 */
export function describeIndexes(opts: IndexSettings, pipConfig: IndexSettings): string {
  const noIndex = opts.noIndex || pipConfig.noIndex;
  const index = opts.indexUrl || pipConfig.indexUrl || PYPI_SIMPLE;
  // pip adds command-line extra indexes and find-links to its configured ones.
  const extra = [...new Set([...pipConfig.extraIndexUrl, ...opts.extraIndexUrl])].filter(
    (u) => u !== index
  );
  const links = [...new Set([...pipConfig.findLinks, ...opts.findLinks])];
  const parts = noIndex ? ['no index (no-index)'] : [`index ${index}`];
  if (!noIndex && extra.length) parts.push(`extra index ${extra.join(', ')}`);
  if (links.length) parts.push(`find-links ${links.join(', ')}`);
  return redactUrls(parts.join('; '));
}

/** What `python -m pip config list` says about indexes (empty settings when pip cannot say). */
export async function pipConfigOf(python: string): Promise<IndexSettings> {
  const r = await execCapture([python, '-m', 'pip', 'config', 'list']).catch(() => null);
  return parsePipConfigList(r?.code === 0 ? r.stdout : '');
}
