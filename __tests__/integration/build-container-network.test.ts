import { afterAll, beforeAll, describe, expect } from '@jest/globals';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildProject } from '../../src/build/index.js';
import { Options } from '../../src/config/options.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { anyPython, discoverPythons } from '../../src/runtime/python.js';
import {
  DOCKER_SKIP_REASON,
  TEST_MANYLINUX_IMAGE,
  dockerEnv,
  imageReady
} from '../helpers/docker.js';
import { itIf, testOptions } from '../helpers/env.js';
import { projectModel } from '../helpers/model.js';

/**
 * How container builds get packages when the engine gives containers no network (ours runs
 * with `bridge: none`): offline with a wheelhouse the host fills from find-links only, and on
 * the host's network against a real HTTP index.
 */
const READY = imageReady(TEST_MANYLINUX_IMAGE);
const LOCAL_FILES = '/opt/pypi/files';
let tmp: string;
const saved = process.env.DOCKER_HOST;
let index: { url: string; stop: () => void; log: string } | undefined;
/** The container interpreter's version: pip's User-Agent names it on every request it makes. */
let containerPython = '';

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-ct-net-'));
  const host = dockerEnv().DOCKER_HOST;
  if (host) process.env.DOCKER_HOST = host;
  if (!READY) return;
  const log = path.join(tmp, 'index.log');
  index = { ...(await serveIndex('/opt/pypi', log)), log };
  containerPython = execFileSync(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      'none',
      TEST_MANYLINUX_IMAGE,
      '/opt/python/cp311-cp311/bin/python',
      '-c',
      'import platform; print(platform.python_version())'
    ],
    { env: dockerEnv(), encoding: 'utf8' }
  ).trim();
});
afterAll(async () => {
  index?.stop();
  if (saved === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = saved;
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Requests for `prefix` the container's pip made to the HTTP index. */
async function containerRequests(prefix: string): Promise<string[]> {
  const lines = (await fs.readFile(index!.log, 'utf8').catch(() => '')).split('\n');
  return lines.filter((l) => l.startsWith(prefix) && l.includes(`"python":"${containerPython}"`));
}

/** fixtures/build-dynamic-requires (its backend asks for `six`) with a runtime dependency. */
async function dynreq(name: string): Promise<string> {
  const root = path.join(tmp, name);
  await fs.cp(path.resolve('fixtures', 'build-dynamic-requires'), root, { recursive: true });
  await fs.appendFile(path.join(root, 'pyproject.toml'), 'dependencies = ["idna"]\n');
  return root;
}

/** Builds it in the container with `opts`; returns the outcome, the log and the work dir. */
async function buildDynreq(name: string, opts: Partial<Options>) {
  const log = memoryLogger();
  const work = path.join(tmp, `${name}-work`);
  const r = await buildProject({
    model: projectModel({
      root: await dynreq(name),
      name: 'albatross-dynreq',
      backend: 'backend',
      backendPath: ['_backend'],
      dependencies: ['idna']
    }),
    opts: testOptions({
      ...isolated(),
      // These indexes hold no twine: inspection is another test's subject.
      inspect: false,
      containerNetwork: 'none',
      sourceDateEpoch: 1700000000,
      testCommand: '{python} -c "import albatross_dynreq, idna"',
      ...opts
    }),
    log,
    outDir: path.join(tmp, `${name}-out`),
    pythons: ['3.11'],
    mode: 'container',
    image: TEST_MANYLINUX_IMAGE,
    platformTag: 'manylinux_2_28_x86_64',
    env: { workRoot: work }
  });
  return { r, log: log.lines.join('\n'), work };
}

/** No index options of the machine's; a cache of this file's own (the indexes here are new each run). */
function isolated(): Partial<Options> {
  return {
    indexUrl: '',
    extraIndexUrl: [],
    findLinks: [],
    noIndex: false,
    cacheDir: path.join(tmp, 'cache')
  };
}

/** A static HTTP index over the local one, logging each request's path and User-Agent. */
async function serveIndex(
  root: string,
  logFile: string
): Promise<{ url: string; stop: () => void }> {
  const py = await anyPython();
  const script = `import functools, http.server, sys
root, log = sys.argv[1], sys.argv[2]
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        with open(log, "a") as f:
            f.write("%s\\t%s\\n" % (self.path, self.headers.get("User-Agent", "")))
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=root))
print(srv.server_address[1], flush=True)
srv.serve_forever()
`;
  const child: ChildProcess = spawn(py!.executable, ['-c', script, root, logFile], {
    stdio: ['ignore', 'pipe', 'inherit']
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`index server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}/simple/`, stop: () => child.kill() };
}

describe('container builds without a network', () => {
  itIf(READY, DOCKER_SKIP_REASON)(
    'offline, remote index: the host resolves build requirements (static and dynamic) and test dependencies into a wheelhouse; the container never reaches the index',
    async () => {
      // The host's own Pythons are other builds: a request naming this version is the container's.
      expect((await discoverPythons()).map((p) => p.full)).not.toContain(containerPython);
      const { r, log, work } = await buildDynreq('wheelhouse', { indexUrl: index!.url });
      expect(r.manifest.failures).toEqual([]);
      const wheel = r.manifest.artifacts.find((a) => a.kind === 'wheel')!;
      expect(wheel).toMatchObject({
        file: 'albatross_dynreq-1.0.0-py3-none-any.whl',
        details: { container: { network: 'none' } }
      });
      // A pure wheel has nothing for auditwheel to repair.
      expect(wheel.repaired).toBeUndefined();
      expect(wheel.test?.status).toBe('passed');
      expect(log).toMatch(/container .*offline \(wheelhouse from the host\)/);
      // `six` only the backend's hook names: the cached env lacks it, so pip builds isolated.
      expect(log).toContain('the cached build env lacks a dynamic build requirement');
      const house = await fs.readdir(path.join(work, 'wheelhouse', 'py3.11'));
      expect(house.map((f) => f.split('-')[0]).sort()).toEqual(
        expect.arrayContaining(['albatross_dynreq', 'idna', 'setuptools', 'six'])
      );
      expect(await containerRequests('/')).toEqual([]);
    }
  );

  itIf(READY, DOCKER_SKIP_REASON)(
    'offline with find-links only: the local directory is mounted read-only and read in place',
    async () => {
      // A stable path, so the host's cached build environments are reused across runs.
      const { r, log, work } = await buildDynreq('links', {
        noIndex: true,
        findLinks: [LOCAL_FILES],
        cacheDir: ''
      });
      expect(r.manifest.failures).toEqual([]);
      const wheel = r.manifest.artifacts.find((a) => a.kind === 'wheel')!;
      expect(wheel.details).toMatchObject({ container: { network: 'none' } });
      expect(wheel.test?.status).toBe('passed');
      expect(log).toMatch(/container .*offline \(local indexes mounted read-only\)/);
      await expect(fs.readdir(path.join(work, 'wheelhouse', 'py3.11'))).rejects.toThrow(/ENOENT/);
    }
  );

  itIf(READY, DOCKER_SKIP_REASON)(
    'index reachable: on the host network pip inside the container uses an HTTP index itself',
    async () => {
      const r = await buildProject({
        model: projectModel({
          root: path.resolve('fixtures', 'build-cext'),
          name: 'albatross-cext',
          native: true,
          sources: ['pyproject.toml', 'setup.py']
        }),
        opts: testOptions({
          ...isolated(),
          inspect: false,
          indexUrl: index!.url,
          containerNetwork: 'host',
          sourceDateEpoch: 1700000000
        }),
        log: memoryLogger(),
        outDir: path.join(tmp, 'online-out'),
        pythons: ['3.11'],
        mode: 'container',
        image: TEST_MANYLINUX_IMAGE,
        platformTag: 'manylinux_2_28_x86_64'
      });
      expect(r.manifest.failures).toEqual([]);
      const wheel = r.manifest.artifacts.find((a) => a.kind === 'wheel')!;
      expect(wheel.details).toMatchObject({ container: { network: 'host' } });
      expect(wheel.repaired).toBe(true);
      expect((await containerRequests('/simple/setuptools/')).length).toBeGreaterThan(0);
    }
  );
});
