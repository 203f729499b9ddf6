import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { promises as fs, readFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { localIndexFlags } from '../helpers/local-index.js';
import {
  DOCKER_SKIP_REASON,
  TEST_MANYLINUX_IMAGE,
  dockerEnv,
  imageReady
} from '../helpers/docker.js';
import { itIf } from '../helpers/env.js';

/**
 * A running CLI build stopped with SIGTERM or SIGINT: no temporary directory and no build
 * process is left behind (the backend, and a grandchild it started, are stopped with the
 * group), and the exit code is 128 + the signal. In container mode the build container goes too.
 */
const CLI = ['--import', 'tsx', path.resolve('src/cli/index.ts')];
let work: string;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'interrupt-'));
});
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

/**
 * A project whose in-tree backend hangs in `hook` (after starting a `sleep` grandchild), writing
 * both pids to `marker` first. With `onlyInContainer`, it hangs only where /.dockerenv exists.
 */
async function hangingProject(
  dir: string,
  marker: string,
  hook: string,
  onlyInContainer = false
): Promise<void> {
  await fs.mkdir(path.join(dir, '_backend'), { recursive: true });
  await fs.mkdir(path.join(dir, 'hang'), { recursive: true });
  await fs.writeFile(path.join(dir, 'hang', '__init__.py'), '');
  await fs.writeFile(
    path.join(dir, 'pyproject.toml'),
    '[build-system]\nrequires = []\nbuild-backend = "hang_backend"\nbackend-path = ["_backend"]\n\n[project]\nname = "hang"\nversion = "1.0"\n'
  );
  await fs.writeFile(
    path.join(dir, '_backend', 'hang_backend.py'),
    `import os, subprocess, tarfile, time, zipfile

MARKER = ${JSON.stringify(marker)}
ONLY_IN_CONTAINER = ${onlyInContainer ? 'True' : 'False'}


def _hang():
    if ONLY_IN_CONTAINER and not os.path.exists("/.dockerenv"):
        return
    child = subprocess.Popen(["sleep", "300"])
    # In a container the host path is not mounted: the work dir (mounted at /albatross) is.
    marker = "/albatross/hang-pids" if ONLY_IN_CONTAINER else MARKER
    with open(marker, "w") as f:
        f.write("%d %d\\n" % (os.getpid(), child.pid))
    time.sleep(300)


def build_sdist(sdist_directory, config_settings=None):
    ${hook === 'build_sdist' ? '_hang()' : ''}
    name = "hang-1.0"
    path = os.path.join(sdist_directory, name + ".tar.gz")
    with tarfile.open(path, "w:gz") as t:
        for f in ["pyproject.toml", "_backend/hang_backend.py", "hang/__init__.py"]:
            t.add(f, arcname=name + "/" + f)
        info = tarfile.TarInfo(name + "/PKG-INFO")
        data = b"Metadata-Version: 2.1\\nName: hang\\nVersion: 1.0\\n"
        info.size = len(data)
        import io
        t.addfile(info, io.BytesIO(data))
    return name + ".tar.gz"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    ${hook === 'build_wheel' ? '_hang()' : ''}
    raise RuntimeError("not reached in this test")
`
  );
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Pids of live processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n) || Number(n) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${n}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle) && alive(Number(n))) out.push(Number(n));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

/** Starts the CLI with its own TMPDIR; returns the child, its stderr so far, and that TMPDIR. */
async function startBuild(name: string, extra: string[], hook: string, onlyInContainer = false) {
  const dir = path.join(work, name);
  const tmp = path.join(dir, 'tmp');
  const marker = path.join(dir, 'pids');
  await fs.mkdir(tmp, { recursive: true });
  await hangingProject(path.join(dir, 'p'), marker, hook, onlyInContainer);
  const index = localIndexFlags();
  const child = spawn(
    process.execPath,
    [
      ...CLI,
      'build',
      path.join(dir, 'p'),
      '--out',
      path.join(dir, 'out'),
      '--no-test',
      ...index,
      ...extra
    ],
    { env: { ...dockerEnv(), TMPDIR: tmp }, stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = exited(child);
  const markers = (): string[] =>
    onlyInContainer
      ? ownTemps(tmp).map((d) => path.join(tmp, d, 'container', 'hang-pids'))
      : [marker];
  const pids = await waitFor(
    'the backend to hang',
    async () => {
      if (child.exitCode !== null) throw new Error(`the build ended early:\n${stderr}`);
      for (const m of markers()) {
        const text = await fs.readFile(m, 'utf8').catch(() => '');
        if (/^\d+ \d+\n$/.test(text)) return text.trim().split(' ').map(Number);
      }
      return undefined;
    },
    300_000
  );
  return { child, done, pids, tmp, dir, stderr: () => stderr };
}

const ownTemps = (tmp: string): string[] =>
  readdirSync(tmp).filter((n) => n.startsWith('albatross-'));

describe('interrupting a running build (real CLI, real backend processes)', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130]
  ] as const)('%s: exit %i, no temp dir, no process of the build left', async (signal, code) => {
    const b = await startBuild(signal, ['--python', '3.12'], 'build_sdist');
    // Mid-build: the work dir exists and the backend and its grandchild run.
    expect(ownTemps(b.tmp).length).toBeGreaterThan(0);
    expect(b.pids.every(alive)).toBe(true);
    b.child.kill(signal);
    const end = await b.done;
    expect(end).toEqual({ code, signal: null });
    expect(b.stderr()).toMatch(
      new RegExp(
        `albatross: interrupted \\(${signal}\\); stopped \\d+ process groups?, removed \\d+ temporary paths?`
      )
    );
    expect(ownTemps(b.tmp)).toEqual([]);
    await waitFor(
      'the build processes to end',
      async () => (b.pids.some(alive) ? undefined : true),
      5000
    );
    expect(processesMentioning(b.dir)).toEqual([]);
    // No half-written file in --out: only what was complete (the manifest) may be there.
    const out = await fs.readdir(path.join(b.dir, 'out')).catch(() => [] as string[]);
    expect(out.filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  itIf(imageReady(TEST_MANYLINUX_IMAGE), DOCKER_SKIP_REASON)(
    'SIGTERM during a container build removes the build container',
    async () => {
      const b = await startBuild(
        'container',
        ['--mode', 'container', '--image', TEST_MANYLINUX_IMAGE, '--python', '3.11'],
        'build_wheel',
        true
      );
      const name = /container (albatross-build-[0-9a-f]+):/.exec(b.stderr())?.[1];
      expect(name).toBeDefined();
      const listed = (): string =>
        execFileSync(
          'docker',
          ['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Names}}'],
          {
            env: dockerEnv(),
            encoding: 'utf8'
          }
        ).trim();
      expect(listed()).toBe(name);
      b.child.kill('SIGTERM');
      expect(await b.done).toEqual({ code: 143, signal: null });
      expect(listed()).toBe('');
      expect(ownTemps(b.tmp)).toEqual([]);
      expect(processesMentioning(b.dir)).toEqual([]);
    }
  );
});
