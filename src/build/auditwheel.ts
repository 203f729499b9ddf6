import { RepairInfo } from '../manifest/model.js';

/**
 * auditwheel's side of a container build: the argv, and what its output says it decided. Pure:
 * table-tested against output captured from auditwheel 6.8.
 */

/** `auditwheel --version` → `6.8.2` (`auditwheel 6.8.2 installed at …`), or null. */
export function auditwheelVersion(output: string): string | null {
  return /^auditwheel (\S+)/m.exec(output)?.[1] ?? null;
}

/**
 * `auditwheel repair` for one wheel. `--plat` is the bucket's policy when there is one (else
 * auditwheel's own default, the image's AUDITWHEEL_PLAT); auditwheel still adds the more
 * compatible tags the wheel qualifies for, as it does for cibuildwheel.
 */
export function repairArgs(a: { platformTag?: string; outDir: string; wheel: string }): string[] {
  const plat = a.platformTag && a.platformTag !== 'linux' ? ['--plat', a.platformTag] : [];
  return ['auditwheel', 'repair', ...plat, '-w', a.outDir, a.wheel];
}

/** `New filename tags: a, b` from auditwheel's log: the tags the repaired wheel carries. */
export function repairedTags(output: string): string[] {
  const m = /New filename tags: (.+)$/m.exec(output);
  return m
    ? m[1]
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
    : [];
}

/** Libraries auditwheel grafted: wheel members in a top-level `<name>.libs/` directory. */
export function graftedLibs(members: string[]): string[] {
  return members.filter((m) => /^[^/]+\.libs\/[^/]+$/.test(m)).sort();
}

/**
 * The manifest's record of a repair. The policy is the first tag auditwheel gave (the most
 * compatible one it found); the requested one is what `--plat` asked for.
 */
export function repairInfo(a: {
  version: string | null;
  requested?: string;
  output: string;
  platformTags: string[];
  members: string[];
}): RepairInfo {
  const tags = repairedTags(a.output);
  const requested = a.requested && a.requested !== 'linux' ? a.requested : undefined;
  return {
    tool: a.version ? `auditwheel ${a.version}` : 'auditwheel',
    ...(requested ? { requested } : {}),
    policy: tags[0] ?? a.platformTags[0],
    grafted: graftedLibs(a.members)
  };
}

/**
 * auditwheel's own words when it fails: the last exception or usage-error line (a traceback's
 * frames and INFO lines are noise), else the last line it printed.
 */
export function repairFailure(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(INFO|DEBUG|WARNING):/.test(l));
  const error = [...lines]
    .reverse()
    .find((l) => /^[\w.]*(Error|Exception)\b.*: /.test(l) || /^auditwheel\b.*: error: /.test(l));
  const line = error ?? lines[lines.length - 1] ?? 'no output';
  return line.length > 400 ? line.slice(0, 399) + '…' : line;
}
