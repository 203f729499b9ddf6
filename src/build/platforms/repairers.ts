import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../../config/options.js';
import { parseWheelName } from '../../runtime/wheelname.js';
import { PythonInstall } from '../../runtime/python.js';
import { ensurePinnedTool } from '../../runtime/toolenv.js';
import { hostExecutor } from '../executor.js';
import { processSetup } from '../env.js';
import { StepError, step } from '../executor.js';
import { macosArchs } from './macos.js';
import { HostOs } from './os.js';
import { JobDirs, Repaired, WheelJob } from './types.js';

/** The argv that repairs `wheel` on `os` with the tool at `exe`; null when the OS has none. */
export function repairArgv(
  os: HostOs,
  exe: string,
  a: { wheel: string; outDir: string }
): string[] | null {
  if (!os.repair) return null;
  const tag = parseWheelName(a.wheel)?.platformTags[0] ?? '';
  return os.repair.argv(exe, { ...a, archs: os.name === 'macos' ? macosArchs(tag) : [] });
}

/**
 * Repairs a host-built platform wheel with the OS's tool (its option's executable, else the
 * pinned release in a tool env of `python`). A Linux host wheel keeps its `linux_*` tag.
 */
export async function repairOnHost(
  os: HostOs,
  job: WheelJob,
  dirs: JobDirs,
  wheel: string,
  python: PythonInstall,
  opts: Options
): Promise<Repaired> {
  if (!os.repair) return { wheel };
  const own = opts[os.repair.tool.option as 'delocate' | 'delvewheel'];
  const exe =
    own ||
    path.join(
      path.dirname(await ensurePinnedTool(python, os.repair.tool, opts)),
      `${os.repair.executable}${os.exe}`
    );
  const outDir = path.join(dirs.host, 'repaired');
  await fs.mkdir(outDir, { recursive: true });
  const ex = hostExecutor(processSetup(opts, job.sde, null));
  const { name, version } = os.repair.tool;
  const r = await step(ex, job.log, `${name} repair`, repairArgv(os, exe, { wheel, outDir })!);
  const out = (await fs.readdir(outDir)).filter((f) => f.endsWith('.whl'));
  if (out.length !== 1)
    throw new StepError(`${name} wrote ${out.length} wheels (expected one)`, job.log.text);
  const repaired = path.join(outDir, out[0]);
  return {
    wheel: repaired,
    info: {
      tool: `${name} ${version}`,
      policy: parseWheelName(repaired)?.platformTags[0] ?? '',
      grafted: [...r.output.matchAll(/^\s*Copied (\S+)/gm)].map((m) => m[1]).sort()
    }
  };
}
