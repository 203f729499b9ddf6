import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The private engine scripts/ci/start-dockerd.sh starts. */
export const DOCKER_SOCKET = '/run/albatross-docker.sock';
/** Images scripts/ci/make-test-images.sh makes (no registry is reachable here). */
export const TEST_PYTHON_IMAGE = 'albatross-test/python:bookworm';
/** The manylinux-layout image with auditwheel + patchelf (recipe r2 of make-test-images.sh). */
export const TEST_MANYLINUX_IMAGE = 'albatross-test/manylinux:bookworm-r2';
const TEST_CACHE = process.env.ALBATROSS_TEST_CACHE || '/var/cache/albatross-test';
/** `docker save` of TEST_PYTHON_IMAGE: a docker-archive base for daemonless builders. */
export const TEST_PYTHON_ARCHIVE = join(TEST_CACHE, 'python-bookworm.docker.tar');
/** The reason tests print when they skip for want of the engine or images. */
export const DOCKER_SKIP_REASON =
  'no docker engine / test image; run scripts/ci/start-dockerd.sh and scripts/ci/make-test-images.sh';

/**
 * Env for engine commands: DOCKER_HOST as given, else our socket when it exists, else unset
 * (the engine's own default, e.g. on GitHub runners).
 */
export function dockerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!env.DOCKER_HOST && existsSync(DOCKER_SOCKET)) env.DOCKER_HOST = `unix://${DOCKER_SOCKET}`;
  return env;
}

function answers(argv: string[]): boolean {
  try {
    execFileSync('docker', argv, { env: dockerEnv(), stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

let ready: boolean | undefined;
/** True when `docker info` answers (asked once per test file). */
export function dockerReady(): boolean {
  ready ??= answers(['info', '--format', '{{.ServerVersion}}']);
  return ready;
}

const images = new Map<string, boolean>();
/** True when the engine answers and holds `name`. */
export function imageReady(name: string): boolean {
  let known = images.get(name);
  if (known === undefined) {
    known = dockerReady() && answers(['image', 'inspect', name]);
    images.set(name, known);
  }
  return known;
}
