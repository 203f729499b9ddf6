import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ArtifactEntry, TestResult } from '../manifest/model.js';
import { extractMembers } from '../runtime/extract.js';
import { infoOnce, warnOnce } from '../runtime/log.js';
import { Member } from './normalize/archive.js';
import { stageWheel } from './normalize/wheel.js';
import { PlatformSession, WheelJob } from './platforms/types.js';
import { wheelContents } from './wheelinfo.js';

/** A wheel built, repaired, normalised and tested: waiting for inspection and publication. */
export interface StagedWheel {
  file: string;
  data: Buffer;
  entry: Omit<ArtifactEntry, 'sha256' | 'size' | 'file'>;
  test?: TestResult;
}

/**
 * One wheel job, the same on every platform: unpack the sdist → build → repair (platform
 * wheels) → normalise (after repair, which re-zips) → stage → install and test.
 */
export async function runWheelJob(
  s: PlatformSession,
  job: WheelJob,
  members: Member[],
  opts: { test: boolean }
): Promise<StagedWheel> {
  const dirs = s.dirs(job);
  await fs.rm(dirs.host, { recursive: true, force: true });
  await extractMembers('the sdist', members, path.join(dirs.host, 'src'));
  const top = members[0].name.split('/')[0];
  const built = await s.build(job, dirs, top);
  const platform = !built.endsWith('-any.whl');
  const repaired = platform ? await s.repair(job, dirs, built) : { wheel: built };
  const staged = await stageWheel(
    repaired.wheel,
    job.sde,
    path.join(dirs.host, 'staged'),
    job.version
  );
  const { file, data } = staged;
  const entry: StagedWheel['entry'] = {
    ...staged.entry,
    ...(platform ? { repaired: repaired.info !== undefined } : {}),
    ...(repaired.info ? { repair: repaired.info } : {}),
    ...(s.details ? { details: s.details } : {})
  };
  // verify's rebuilds repair the same wheels alike: said once per wheel and outcome.
  if (repaired.skipped)
    warnOnce(
      job.logger,
      `repair:${file}:${repaired.skipped}`,
      `${file}: not repaired (${repaired.skipped}); it keeps its ${entry.platformTag} tag`
    );
  else if (repaired.info)
    infoOnce(
      job.logger,
      `repair:${file}:${repaired.info.policy}`,
      `${file}: ${repaired.info.tool.split(' ')[0]} ${repaired.info.policy}${repaired.info.grafted.length ? `, grafted ${repaired.info.grafted.join(', ')}` : ', nothing to graft'}`
    );
  const test = opts.test
    ? await s.test(job, dirs, staged.staged, await wheelContents(staged.staged), top)
    : undefined;
  return { file, data, entry, test };
}
