/** The cache stores' one interface: github.ts and local.ts implement it, backend.ts picks one. */

export type BackendName = 'github' | 'local';

/** One interface over the cache stores; entries are flat directories of files. */
export interface CacheBackend {
  readonly name: BackendName;
  /** Whether saving under an existing key replaces it (GitHub entries are immutable). */
  readonly canOverwrite: boolean;
  /**
   * Copies the entry for `key`, else the newest entry whose key starts with one of
   * `restoreKeys` (in order), into `into`. Undefined when nothing matches.
   */
  restore(
    into: string,
    key: string,
    restoreKeys: string[]
  ): Promise<{ matchedKey: string } | undefined>;
  /** Stores the files of `from` under `key`. Throws when the store refuses. */
  save(from: string, key: string): Promise<void>;
}
