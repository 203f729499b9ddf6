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

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-ct-net-'));
  const host = dockerEnv().DOCKER_HOST;
  if (host) process.env.DOCKER_HOST = host;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = saved;
  await fs.rm(tmp, { recursive: true, force: true });
});

const noIndexes: Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'> = {
  indexUrl: '',
  extraIndexUrl: [],
  findLinks: [],
  noIndex: false
};

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
    'offline with find-links only: build requirements (static and dynamic) and test dependencies reach the container through the wheelhouse',
    async () => {
      // fixtures/build-dynamic-requires (its backend asks for `six`), plus a runtime dependency.
      const root = path.join(tmp, 'dynreq');
      await fs.cp(path.resolve('fixtures', 'build-dynamic-requires'), root, { recursive: true });
      const pyproject = path.join(root, 'pyproject.toml');
      await fs.appendFile(pyproject, 'dependencies = ["idna"]\n');
      const links = path.join(tmp, 'links');
      await fs.mkdir(links);
      // What the container needs, plus pypa/build for the host's sdist build.
      const needed = /^(setuptools|six|idna)-[\d.]+-py(2\.py)?3-none-any\.whl$/;
      const frontend = /^(build|pyproject_hooks|packaging)-[\d.]+-py3-none-any\.whl$/;
      for (const f of await fs.readdir(LOCAL_FILES))
        if (needed.test(f) || frontend.test(f))
          await fs.copyFile(path.join(LOCAL_FILES, f), path.join(links, f));
      const containerNeeds = (await fs.readdir(links)).filter((f) => needed.test(f)).sort();
      expect(containerNeeds).toHaveLength(3);

      const log = memoryLogger();
      const outDir = path.join(tmp, 'offline-out');
      const r = await buildProject({
        model: projectModel({ root, name: 'albatross-dynreq', dependencies: ['idna'] }),
        opts: testOptions({
          ...noIndexes,
          findLinks: [links],
          noIndex: true,
          containerNetwork: 'none',
          sourceDateEpoch: 1700000000,
          testCommand: '{python} -c "import albatross_dynreq, idna"'
        }),
        log,
        outDir,
        pythons: ['3.11'],
        mode: 'container',
        image: TEST_MANYLINUX_IMAGE,
        platformTag: 'manylinux_2_28_x86_64',
        env: { workRoot: path.join(tmp, 'offline-work') }
      });
      expect(r.manifest.failures).toEqual([]);
      const wheel = r.manifest.artifacts.find((a) => a.kind === 'wheel')!;
      expect(wheel).toMatchObject({
        file: 'albatross_dynreq-1.0.0-py3-none-any.whl',
        details: { container: { network: 'none' } }
      });
      // A pure wheel has nothing for auditwheel to repair.
      expect(wheel.repaired).toBeUndefined();
      expect(wheel.test?.status).toBe('passed');
      const steps = log.lines.join('\n');
      expect(steps).toMatch(/container .*offline \(wheelhouse from the host\)/);
      const house = await fs.readdir(path.join(tmp, 'offline-work', 'wheelhouse', 'py3.11'));
      expect(house.filter((f) => !f.startsWith('albatross_dynreq')).sort()).toEqual(containerNeeds);
    }
  );

  itIf(READY, DOCKER_SKIP_REASON)(
    'index reachable: on the host network pip inside the container uses an HTTP index itself',
    async () => {
      const logFile = path.join(tmp, 'index.log');
      const index = await serveIndex('/opt/pypi', logFile);
      const containerPython = execFileSync(
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
      // The host's Pythons are other builds: a request with this version came from the container.
      expect((await discoverPythons()).map((p) => p.full)).not.toContain(containerPython);
      try {
        const outDir = path.join(tmp, 'online-out');
        const r = await buildProject({
          model: projectModel({
            root: path.resolve('fixtures', 'build-cext'),
            name: 'albatross-cext',
            native: true,
            sources: ['pyproject.toml', 'setup.py']
          }),
          opts: testOptions({
            ...noIndexes,
            indexUrl: index.url,
            containerNetwork: 'host',
            sourceDateEpoch: 1700000000
          }),
          log: memoryLogger(),
          outDir,
          pythons: ['3.11'],
          mode: 'container',
          image: TEST_MANYLINUX_IMAGE,
          platformTag: 'manylinux_2_28_x86_64'
        });
        expect(r.manifest.failures).toEqual([]);
        const wheel = r.manifest.artifacts.find((a) => a.kind === 'wheel')!;
        expect(wheel.details).toMatchObject({ container: { network: 'host' } });
        expect(wheel.repaired).toBe(true);
        const requests = (await fs.readFile(logFile, 'utf8')).trim().split('\n');
        expect(
          requests.filter(
            (l) =>
              l.startsWith('/simple/setuptools/') && l.includes(`"python":"${containerPython}"`)
          ).length
        ).toBeGreaterThan(0);
      } finally {
        index.stop();
      }
    }
  );
});
