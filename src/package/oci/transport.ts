import { Options } from '../../config/options.js';
import { FailureError } from '../../errors.js';
import { commandExists, execCapture, tail } from '../../runtime/exec.js';

/** The container engine to use: the option, else docker when it runs, else podman. */
export async function pickEngine(
  opts: Pick<Options, 'containerEngine'>
): Promise<'docker' | 'podman' | null> {
  if (opts.containerEngine !== 'auto') return opts.containerEngine;
  if (await commandExists('docker')) return 'docker';
  if (await commandExists('podman')) return 'podman';
  return null;
}

/** Pulling a registry reference: skopeo into an OCI layout, or the engine's pull + save. */
export function pullArgvs(
  tool: 'skopeo' | 'docker' | 'podman',
  ref: string,
  dest: string
): string[][] {
  if (tool === 'skopeo')
    return [['skopeo', 'copy', '--retry-times', '2', `docker://${ref}`, `oci:${dest}:base`]];
  return [[tool, 'pull', ref], saveArgv(tool, ref, dest)];
}

/** `save`: an image the engine holds, as a docker-archive. */
export function saveArgv(engine: 'docker' | 'podman', ref: string, dest: string): string[] {
  return [engine, 'save', '-o', dest, ref];
}

/** `load`: the docker-archive into the engine. */
export function loadArgv(engine: 'docker' | 'podman', archive: string): string[] {
  return [engine, 'load', '-i', archive];
}

/** `push`: skopeo from the OCI layout, or the engine (load, then push). */
export function pushArgvs(
  tool: 'skopeo' | 'docker' | 'podman',
  layout: string,
  tag: string,
  archive: string,
  name: string
): string[][] {
  if (tool === 'skopeo') return [['skopeo', 'copy', `oci:${layout}:${tag}`, `docker://${name}`]];
  return [loadArgv(tool, archive), [tool, 'push', name]];
}

/** Runs argv lists in order; the first failure becomes an error naming `what`. */
export async function runAll(argvs: string[][], what: string): Promise<void> {
  for (const argv of argvs) {
    let r;
    try {
      r = await execCapture(argv);
    } catch (e) {
      throw new FailureError(`${what}: cannot run ${argv[0]} (${(e as Error).message})`);
    }
    if (r.code !== 0)
      throw new FailureError(
        `${what}: \`${argv.slice(0, 3).join(' ')} …\` exited with code ${r.code}: ${tail(r.output, 5)}`
      );
  }
}
