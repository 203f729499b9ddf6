import * as os from 'node:os';
import * as path from 'node:path';
import { buildProject } from '../build/index.js';
import { resolveMode } from '../build/mode.js';
import { detectProject } from '../detect/index.js';
import { ConfigError, NothingToDoError } from '../errors.js';
import { MANIFEST_NAME } from '../manifest/io.js';
import { Manifest } from '../manifest/model.js';
import { bucketOf } from '../plan/buckets.js';
import { PINNED_IMAGES } from '../plan/images.js';
import { discoverPythons } from '../runtime/python.js';
import { CommandContext, CommandResult } from './types.js';

const HOST_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

/** The container bucket for this machine: the first Linux bucket of `platforms` of the host's arch. */
export function containerTarget(
  opts: CommandContext['opts'],
  arch = os.arch()
): { image: string; platformTag: string } {
  const want = HOST_ARCH[arch] ?? arch;
  const name = opts.platforms.find((p) => p.endsWith(`-${want}`) && /^(many|musl)linux-/.test(p));
  if (!name)
    throw new ConfigError(
      `platforms: no manylinux/musllinux bucket for this machine's architecture (${want}) in ${opts.platforms.join(', ')}`
    );
  const bucket = bucketOf(name, opts.manylinux);
  const image = opts.image || opts.images[name] || PINNED_IMAGES[name]?.[bucket.policy ?? ''];
  if (!image)
    throw new ConfigError(`images: no container image for bucket ${name} (set image or images)`);
  return { image, platformTag: bucket.platform };
}

/** `albatross build DIR --out OUT`: sdist + wheels + manifest (contract: CONTRACT.md). */
export async function buildCommand(ctx: CommandContext): Promise<CommandResult> {
  const { opts, log } = ctx;
  const outDir = path.resolve(opts.projectDir, opts.out);
  const model = await detectProject(opts, log);
  const mode = await resolveMode(model, opts, log);
  let pythons: string[];
  if (opts.python.length) {
    pythons = opts.python;
  } else {
    if (!model.pythonVersions.length)
      throw new NothingToDoError(
        `no target Python satisfies requires-python ${model.requiresPython ?? ''}`.trim()
      );
    pythons = model.pythonVersions;
    if (mode === 'host' && ctx.surface === 'cli') {
      const installed = new Set((await discoverPythons()).map((p) => p.version));
      const skipped = pythons.filter((v) => !installed.has(v));
      pythons = pythons.filter((v) => installed.has(v));
      if (skipped.length)
        log.info(
          `skipping Python ${skipped.join(', ')} (not installed here; pass --python to require them)`
        );
      if (!pythons.length)
        throw new ConfigError(
          `python: none of ${model.pythonVersions.join(', ')} is installed here (searched PATH, pyenv and the runner tool cache)`
        );
    }
  }
  const target = mode === 'container' ? containerTarget(opts) : undefined;
  const { manifest, ok } = await buildProject({
    model,
    opts,
    log,
    outDir,
    pythons,
    mode,
    image: target?.image,
    platformTag: target?.platformTag
  });
  return {
    exitCode: ok ? 0 : 1,
    json: manifest,
    text: buildTable(manifest),
    summary: buildSummary(manifest),
    outputs: {
      manifest: path.join(outDir, MANIFEST_NAME),
      artifacts: JSON.stringify(manifest.artifacts)
    }
  };
}

/** Compact terminal table of artifacts and failures. */
export function buildTable(m: Manifest): string {
  const rows = m.artifacts.map((a) => [
    a.file,
    a.kind,
    a.kind === 'wheel' ? (a.python ?? '') : '',
    a.repaired === false ? `not repaired (${a.platformTag})` : a.repaired ? 'repaired' : '',
    a.test ? a.test.status : '',
    `${a.buildSeconds ?? ''}s`,
    String(a.size)
  ]);
  const head = ['artifact', 'kind', 'python', 'repair', 'test', 'time', 'bytes'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const lines = [head, ...rows].map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  );
  for (const f of m.failures) lines.push(`FAILED ${f.target}: ${f.message}`);
  return lines.join('\n');
}

/** Markdown for the job summary. */
export function buildSummary(m: Manifest): string {
  const lines = ['| artifact | python | repaired | test | sha256 |', '|---|---|---|---|---|'];
  for (const a of m.artifacts) {
    lines.push(
      `| \`${a.file}\` | ${a.python ?? ''} | ${a.repaired === undefined ? '' : a.repaired ? 'yes' : `**no** (${a.platformTag})`} | ${a.test?.status ?? ''} | \`${a.sha256.slice(0, 12)}\` |`
    );
  }
  const unrepaired = m.artifacts.filter((a) => a.repaired === false);
  if (unrepaired.length)
    lines.push(
      '',
      `${unrepaired.length} wheel(s) not repaired by auditwheel: they carry a \`linux_*\` tag and are not installable from PyPI.`
    );
  for (const f of m.failures)
    lines.push('', `**Failed: ${f.target}**: ${f.message}`, '```', f.logTail, '```');
  return lines.join('\n');
}
