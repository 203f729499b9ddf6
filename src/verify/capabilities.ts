import * as os from 'node:os';
import { execCapture } from '../runtime/exec.js';

/** Build B's hostname (the probe checks that it can be set). */
export const REBUILD_HOST = 'albatross-rebuild-host';
/** Build B's clock runs this far ahead under faketime. */
export const CLOCK_SHIFT_DAYS = 397;

/** What this machine lets us vary; probed once per verify. */
export interface Capabilities {
  /** How to get a private hostname: `unshare --uts` (root), `unshare -r --uts` (user namespace), or not at all. */
  uts: string[] | null;
  faketime: boolean;
  taskset: boolean;
  cpus: number;
  locales: string[];
}

async function ok(argv: string[], expect?: (out: string) => boolean): Promise<boolean> {
  try {
    const r = await execCapture(argv, { timeoutMs: 10000 });
    return r.code === 0 && (!expect || expect(r.stdout));
  } catch {
    return false;
  }
}

export async function probeCapabilities(): Promise<Capabilities> {
  const now = Math.floor(Date.now() / 1000);
  const utsWorks = (prefix: string[]): Promise<boolean> =>
    ok(
      [...prefix, '--', '/bin/sh', '-c', 'hostname "$0" && hostname', REBUILD_HOST],
      (o) => o.trim() === REBUILD_HOST
    );
  const [utsRoot, utsUser, faketime, taskset, locales] = await Promise.all([
    utsWorks(['unshare', '--uts']),
    utsWorks(['unshare', '-r', '--uts']),
    ok(
      ['faketime', '-f', `+${CLOCK_SHIFT_DAYS}d`, 'date', '+%s'],
      (o) => Number(o.trim()) > now + (CLOCK_SHIFT_DAYS - 1) * 86400
    ),
    ok(['taskset', '-c', '0', 'true']),
    execCapture(['locale', '-a'], { timeoutMs: 10000 })
      .then((r) =>
        r.code === 0
          ? r.stdout
              .split('\n')
              .map((l) => l.trim())
              .filter(Boolean)
          : []
      )
      .catch(() => [] as string[])
  ]);
  const uts = utsRoot ? ['unshare', '--uts'] : utsUser ? ['unshare', '-r', '--uts'] : null;
  return { uts, faketime, taskset, cpus: os.availableParallelism(), locales };
}
