import { FailureError } from '../../errors.js';
import { Engine } from '../../runtime/container.js';
import { execCapture, tail } from '../../runtime/exec.js';

/** Pulling a registry reference: skopeo into an OCI layout, or the engine's pull + save. */
export function pullArgvs(tool: 'skopeo' | Engine, ref: string, dest: string): string[][] {
  if (tool === 'skopeo')
    return [['skopeo', 'copy', '--retry-times', '2', `docker://${ref}`, `oci:${dest}:base`]];
  return [[tool, 'pull', ref], saveArgv(tool, ref, dest)];
}

/** `save`: an image the engine holds, as a docker-archive. */
export function saveArgv(engine: Engine, ref: string, dest: string): string[] {
  return [engine, 'save', '-o', dest, ref];
}

/** `load`: the docker-archive into the engine. */
export function loadArgv(engine: Engine, archive: string): string[] {
  return [engine, 'load', '-i', archive];
}

/** `push`: skopeo from the OCI layout, or the engine (load, then push). */
export function pushArgvs(
  tool: 'skopeo' | Engine,
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
