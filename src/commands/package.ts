import * as path from 'node:path';
import { detectProject } from '../detect/index.js';
import { ConfigError, NothingToDoError } from '../errors.js';
import { MANIFEST_NAME } from '../manifest/io.js';
import { PACKAGE_FORMATS, PackageFormat, packageProject } from '../package/index.js';
import { resolveEntryPoint } from '../package/entry.js';
import { parseBase } from '../package/oci/source.js';
import { CommandContext, CommandResult } from './types.js';

/** Formats to package: the `format` option, else a zipapp (plus an image when `base` is set) for applications. */
export function resolveFormats(
  format: string[],
  base: string,
  hasConsoleScripts: boolean,
  entryPoint: string
): PackageFormat[] {
  const requested = format
    .flatMap((f) => f.split(','))
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean);
  for (const f of requested) {
    if (!PACKAGE_FORMATS.includes(f as PackageFormat))
      throw new ConfigError(
        `format: unknown format '${f}' (expected one of ${PACKAGE_FORMATS.join(', ')})`
      );
  }
  if (requested.length) return [...new Set(requested)] as PackageFormat[];
  if (!hasConsoleScripts && !entryPoint) return [];
  return base ? ['zipapp', 'image'] : ['zipapp'];
}

export async function packageCommand(ctx: CommandContext): Promise<CommandResult> {
  const { opts, log } = ctx;
  const model = await detectProject(opts, log);
  const formats = resolveFormats(
    opts.format,
    opts.base,
    Object.keys(model.entryPoints.console_scripts ?? {}).length > 0,
    opts.entryPoint
  );
  if (formats.length === 0) {
    throw new NothingToDoError(
      'package: the project declares no console script; pass --format (and --entry-point) to package it anyway'
    );
  }
  if (formats.includes('image')) parseBase(opts.base, opts.projectDir);
  resolveEntryPoint(model.entryPoints.console_scripts ?? {}, opts.entryPoint);
  const outDir = path.resolve(opts.projectDir, opts.out);
  const outcome = await packageProject({ model, opts, log, outDir, formats });
  const added = outcome.artifacts ?? [];
  const image = added.find((a) => a.kind === 'image');
  const lines = [
    ...added.map(
      (a) => `${a.kind.padEnd(7)} ${a.file}  ${a.size} bytes${a.digest ? `  ${a.digest}` : ''}`
    ),
    ...(outcome.failures ?? []).map((f) => `${f.kind.padEnd(7)} FAILED: ${f.message}`)
  ];
  return {
    exitCode: outcome.ok ? 0 : 1,
    json: outcome.manifest,
    text: lines.join('\n'),
    outputs: {
      digest: image?.digest ?? '',
      image: image?.imageName ?? '',
      manifest: path.join(outDir, MANIFEST_NAME)
    }
  };
}
