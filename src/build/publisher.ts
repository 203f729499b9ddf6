import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ArtifactEntry, FailureEntry } from '../manifest/model.js';
import { ManifestRecorder } from '../manifest/recorder.js';
import { sha256, writeFileAtomic } from '../runtime/fsutil.js';
import { Logger } from '../runtime/log.js';
import { Inspector } from './inspect/index.js';

/** A built, normalised artifact waiting in the work dir for its inspection and publication. */
export interface Staged {
  file: string;
  data: Buffer;
  entry: Omit<ArtifactEntry, 'sha256' | 'size' | 'file'>;
}

/**
 * Where the build's artifacts go: inspected (a failing one never reaches OUT), written into OUT
 * atomically, then listed through the recorder; or recorded as failed. Remembers what this run
 * published and whether anything failed.
 */
export class Publisher {
  ok = true;
  readonly produced: ArtifactEntry[] = [];

  constructor(
    private readonly outDir: string,
    private readonly recorder: ManifestRecorder,
    private readonly log: Logger,
    private readonly inspector: Promise<Inspector | null>
  ) {}

  async publish(s: Staged, target: string): Promise<void> {
    const inspection = await (await this.inspector)?.inspect(s.file, s.data);
    await writeFileAtomic(path.join(this.outDir, s.file), s.data, `the ${s.entry.kind}`);
    const entry: ArtifactEntry = {
      file: s.file,
      target,
      ...s.entry,
      ...(inspection ? { inspection } : {}),
      sha256: sha256(s.data),
      size: s.data.length
    };
    try {
      await this.recorder.publish(entry);
    } catch (e) {
      // Not listed, so not shipped: the file leaves OUT with the manifest change that failed.
      await fs.rm(path.join(this.outDir, s.file), { force: true });
      throw e;
    }
    this.produced.push(entry);
  }

  /**
   * Records a failure; `staleFile` (a file this run put in OUT for the target) leaves OUT. One
   * line while the build runs (the log's tail is shown once, with the results); `quiet` when
   * the caller has said it already.
   */
  async fail(f: FailureEntry, staleFile?: string, quiet = false): Promise<void> {
    this.ok = false;
    if (!quiet) this.log.error(`${f.target}: ${liveLine(f)}`);
    if (f.logTail) this.log.debug(`${f.target}:\n${f.logTail}`);
    await this.recorder.fail(f, staleFile);
  }

  /** Several targets failing for one reason (the platform did not start): one line for all. */
  async failAll(failures: FailureEntry[]): Promise<void> {
    if (failures.length)
      this.log.error(
        `${failures.map((f) => f.target).join(', ')}: ${failures[0].message.split('\n')[0]}`
      );
    for (const f of failures) await this.fail(f, undefined, true);
  }
}

/**
 * What a failure says while the build runs. A failed test names only its exit: the command as
 * it ran and the test's output are shown once, with the results.
 */
function liveLine(f: FailureEntry): string {
  if (f.test?.status !== 'failed') return f.message.split('\n')[0];
  const exit = /\(exit code \d+\)\s*$/.exec(f.test.detail ?? '')?.[0].trim();
  return `test failed${exit ? ` ${exit}` : ''}; its command and output follow with the results`;
}
