import * as os from 'node:os';
import * as path from 'node:path';
import { Options } from '../../config/options.js';
import { ConfigError, FailureError } from '../../errors.js';
import { commandExists } from '../../runtime/exec.js';
import { BaseImage, readDockerArchive, readOciLayout } from './base.js';
import { pickEngine, pullArgvs, runAll } from './transport.js';

export type BaseSource =
  | { kind: 'docker-archive'; path: string }
  | { kind: 'oci'; path: string; tag?: string }
  | { kind: 'registry'; ref: string };

/** Parses the `base` option: `docker-archive:PATH`, `oci:PATH[:TAG]` or a registry reference. */
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

/** Loads the base image into `work` (registry references are pulled with skopeo or the engine). */
export async function loadBase(opts: Options, work: string): Promise<BaseImage> {
  const src = parseBase(opts.base, opts.projectDir);
  if (src.kind === 'docker-archive')
    return readDockerArchive(src.path, path.join(work, 'archive'), opts.base);
  if (src.kind === 'oci') return readOciLayout(src.path, src.tag, opts.base, hostGoArch());
  if (await commandExists('skopeo')) {
    const dest = path.join(work, 'pulled');
    await runAll(pullArgvs('skopeo', src.ref, dest), `base ${src.ref}: pulling with skopeo`);
    return readOciLayout(dest, 'base', opts.base, hostGoArch());
  }
  const engine = await pickEngine(opts);
  if (!engine)
    throw new FailureError(
      `base ${src.ref}: pulling a registry image needs skopeo or a container engine (docker, podman); or pass docker-archive:PATH / oci:PATH`
    );
  const dest = path.join(work, 'pulled.tar');
  await runAll(pullArgvs(engine, src.ref, dest), `base ${src.ref}: pulling with ${engine}`);
  return readDockerArchive(dest, path.join(work, 'archive'), opts.base);
}
