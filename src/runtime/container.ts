import { ConfigError } from '../errors.js';
import { execCapture } from './exec.js';

export type Engine = 'docker' | 'podman';

export interface Mount {
  source: string;
  target: string;
  readonly?: boolean;
}

export interface RunSpec {
  image: string;
  name?: string;
  /** `none` cuts the network off (offline/local-index builds). */
  network?: string;
  mounts?: Mount[];
  env?: Record<string, string>;
  workdir?: string;
  user?: string;
  /** Keep running in the background (`-d`), for a sequence of `exec` steps. */
  detach?: boolean;
  /** Remove when it stops (`--rm`). */
  rm?: boolean;
  command: string[];
}

function envArgs(env: Record<string, string> = {}): string[] {
  return Object.keys(env)
    .sort()
    .flatMap((k) => ['-e', `${k}=${env[k]}`]);
}

/** argv for `<engine> run`. Pure: table-tested. */
export function runArgs(engine: Engine, s: RunSpec): string[] {
  const a: string[] = [engine, 'run'];
  if (s.rm ?? true) a.push('--rm');
  if (s.detach) a.push('-d');
  if (s.name) a.push('--name', s.name);
  if (s.network) a.push('--network', s.network);
  if (s.user) a.push('--user', s.user);
  if (s.workdir) a.push('-w', s.workdir);
  for (const m of s.mounts ?? []) {
    // --mount rather than -v: a path holding ':' or ',' is still one field.
    a.push(
      '--mount',
      `type=bind,source=${m.source},target=${m.target}${m.readonly ? ',readonly' : ''}`
    );
  }
  a.push(...envArgs(s.env));
  a.push(s.image, ...s.command);
  return a;
}

/** argv for `<engine> exec`. */
export function execArgs(
  engine: Engine,
  container: string,
  argv: string[],
  o: { env?: Record<string, string>; workdir?: string; user?: string } = {}
): string[] {
  const a: string[] = [engine, 'exec'];
  if (o.user) a.push('--user', o.user);
  if (o.workdir) a.push('-w', o.workdir);
  a.push(...envArgs(o.env), container, ...argv);
  return a;
}

/** argv that force-removes a container. */
export function removeArgs(engine: Engine, container: string): string[] {
  return [engine, 'rm', '-f', container];
}

/** argv that checks whether an image is present locally. */
export function imageInspectArgs(engine: Engine, image: string): string[] {
  return [engine, 'image', 'inspect', '--format', '{{.Id}}', image];
}

/** True when the engine's CLI exists and reaches its daemon/service (DOCKER_HOST is honoured). */
export async function engineWorks(
  engine: Engine,
  env: NodeJS.ProcessEnv = process.env
): Promise<boolean> {
  try {
    const r = await execCapture([engine, 'version', '--format', '{{.Server.Version}}'], {
      env,
      timeoutMs: 20000
    });
    return r.code === 0 && r.stdout.trim() !== '';
  } catch {
    return false;
  }
}

/** The engine to use: the `container-engine` option, `auto` trying docker then podman; null if none works. */
export async function detectEngine(
  pref: 'auto' | Engine,
  env: NodeJS.ProcessEnv = process.env
): Promise<Engine | null> {
  const order: Engine[] = pref === 'auto' ? ['docker', 'podman'] : [pref];
  for (const e of order) if (await engineWorks(e, env)) return e;
  return null;
}

/** Like detectEngine, but a missing engine is a ConfigError naming `container-engine`. */
export async function requireEngine(
  pref: 'auto' | Engine,
  env: NodeJS.ProcessEnv = process.env
): Promise<Engine> {
  const e = await detectEngine(pref, env);
  if (!e) {
    throw new ConfigError(
      pref === 'auto'
        ? 'container-engine: no container engine found (tried docker, podman); install one, start its daemon (or set DOCKER_HOST), or use --mode host'
        : `container-engine: ${pref} is not available (not installed or its daemon is unreachable)`
    );
  }
  return e;
}
