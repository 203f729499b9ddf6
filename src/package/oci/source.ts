import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Options } from '../../config/options.js';
import { ConfigError, FailureError } from '../../errors.js';
import { Engine, detectEngine } from '../../runtime/container.js';
import { commandExists, execCapture, tail } from '../../runtime/exec.js';
import { BaseImage, readDockerArchive, readOciLayout } from './base.js';
import { pullArgvs, runAll, saveArgv } from './transport.js';

export type BaseSource =
  | { kind: 'docker-archive'; path: string }
  | { kind: 'oci'; path: string; tag?: string }
  | { kind: 'daemon'; ref: string }
  | { kind: 'registry'; ref: string };

/**
 * Parses the `base` option: `docker-archive:PATH`, `oci:PATH[:TAG]`, `docker-daemon:REF` (an
 * image the local engine holds; skopeo's name for it) or a registry reference.
 */
export function parseBase(base: string, projectDir: string): BaseSource {
  const b = base.trim();
  if (!b)
    throw new ConfigError(
      'base: the image format needs a base image (a registry reference, docker-archive:PATH or oci:PATH)'
    );
  if (b.startsWith('docker-archive:'))
    return {
      kind: 'docker-archive',
      path: path.resolve(projectDir, b.slice('docker-archive:'.length))
    };
  if (b.startsWith('docker-daemon:')) {
    const ref = b.slice('docker-daemon:'.length).trim();
    if (!ref || /\s/.test(ref))
      throw new ConfigError(
        `base: '${b}' names no image (docker-daemon:NAME[:TAG] or NAME@DIGEST)`
      );
    return { kind: 'daemon', ref };
  }
  if (b.startsWith('oci:')) {
    const rest = b.slice(4);
    const m = /^(.*?):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(rest);
    return m && !m[1].endsWith('/')
      ? { kind: 'oci', path: path.resolve(projectDir, m[1]), tag: m[2] }
      : { kind: 'oci', path: path.resolve(projectDir, rest) };
  }
  const ref = b.replace(/^docker:\/\//, '');
  if (/^[a-z]+:\/\//.test(ref) || /\s/.test(ref))
    throw new ConfigError(
      `base: '${b}' is not a registry reference, docker-archive:PATH or oci:PATH`
    );
  return { kind: 'registry', ref };
}

/** GOARCH of this machine, to pick from multi-platform bases. */
export function hostGoArch(): string {
  return (
    {
      x64: 'amd64',
      arm64: 'arm64',
      ia32: '386',
      arm: 'arm',
      ppc64: 'ppc64le',
      s390x: 's390x',
      riscv64: 'riscv64'
    }[os.arch() as string] ?? os.arch()
  );
}

/** The engine for `docker-daemon:` bases: docker or podman, whichever `container-engine` picks. */
async function daemonEngine(opts: Options, ref: string): Promise<Engine> {
  const engine = await detectEngine(opts.containerEngine);
  if (!engine)
    throw new FailureError(
      `base docker-daemon:${ref}: needs a container engine (docker or podman) holding the image`
    );
  return engine;
}

/**
 * The engine's ID of a `docker-daemon:` image (the digest of its config: the same ID, the same
 * image), or a clear error when the engine does not hold it.
 */
export async function daemonImageId(opts: Options, ref: string): Promise<string> {
  const engine = await daemonEngine(opts, ref);
  let r;
  try {
    r = await execCapture([engine, 'image', 'inspect', '--format', '{{.Id}}', ref]);
  } catch (e) {
    throw new FailureError(
      `base docker-daemon:${ref}: cannot run ${engine} (${(e as Error).message})`
    );
  }
  const id = r.stdout.trim();
  if (r.code !== 0 || !/^sha256:[0-9a-f]{64}$/.test(id))
    throw new FailureError(
      `base docker-daemon:${ref}: ${engine} holds no such image (${tail(r.output, 2).trim() || `exit ${r.code}`}); pull or build it first`
    );
  return id;
}

/**
 * Loads the base image into `work`: archives and layouts are read in place, engine images are
 * saved, registry references are pulled with skopeo or the engine.
 */
export async function loadBase(opts: Options, work: string): Promise<BaseImage> {
  const src = parseBase(opts.base, opts.projectDir);
  // The engines write their archives here (and refuse a directory that does not exist).
  await fs.mkdir(work, { recursive: true });
  if (src.kind === 'docker-archive')
    return readDockerArchive(src.path, path.join(work, 'archive'), opts.base);
  if (src.kind === 'oci') return readOciLayout(src.path, src.tag, opts.base, hostGoArch());
  if (src.kind === 'daemon') {
    const engine = await daemonEngine(opts, src.ref);
    const dest = path.join(work, 'saved.tar');
    await runAll([saveArgv(engine, src.ref, dest)], `base ${opts.base}: saving from ${engine}`);
    return readDockerArchive(dest, path.join(work, 'archive'), opts.base);
  }
  if (await commandExists('skopeo')) {
    const dest = path.join(work, 'pulled');
    await runAll(pullArgvs('skopeo', src.ref, dest), `base ${src.ref}: pulling with skopeo`);
    return readOciLayout(dest, 'base', opts.base, hostGoArch());
  }
  const engine = await detectEngine(opts.containerEngine);
  if (!engine)
    throw new FailureError(
      `base ${src.ref}: pulling a registry image needs skopeo or a container engine (docker, podman); or pass docker-archive:PATH / oci:PATH`
    );
  const dest = path.join(work, 'pulled.tar');
  await runAll(pullArgvs(engine, src.ref, dest), `base ${src.ref}: pulling with ${engine}`);
  return readDockerArchive(dest, path.join(work, 'archive'), opts.base);
}
