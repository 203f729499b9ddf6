/**
 * Image rows: Albatross's daemonless image against `docker build --no-cache` of the equivalent
 * Dockerfile on the same base, in two variants: (a) the wheels installed into a venv, (b) pip
 * into the system Python; all three timed in one loop. Each timed build writes into a fresh OUT
 * and the one before it is gone, as on a CI runner, so the archive shares the stored base
 * prefix (prefixshare.ts); a second loop times builds while an earlier archive still holds
 * it (the prefix is then copied). Then the image sizes and what a code-only change adds
 * (new-layer bytes over the whole image).
 * Needs the local engine and the test images (scripts/ci/start-dockerd.sh, make-test-images.sh).
 * The base is the manylinux test image (Debian's python3 with venv and pip): the smaller
 * albatross-test/python:bookworm has python3-minimal only (no pip, no venv, not even shutil),
 * so no Dockerfile can pip-install on it. Containers have no network: the Dockerfiles install
 * from the wheelhouse in their context, the same wheels Albatross installs.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOptions, Options } from '../../src/config/options.js';
import { detectProject } from '../../src/detect/index.js';
import { ArtifactEntry } from '../../src/manifest/model.js';
import { recordWheels } from '../../__tests__/helpers/manifest.js';
import { formatNamed } from '../../src/package/formats/index.js';
import { packageProject } from '../../src/package/index.js';
import { exec } from '../../src/runtime/exec.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { pipEnv } from '../../src/runtime/pip.js';
import { discoverPythons, findPython } from '../../src/runtime/python.js';
import { ensurePinnedTool } from '../../src/runtime/toolenv.js';
import { UV_TOOL } from '../../src/runtime/uv.js';
import { TEST_MANYLINUX_IMAGE, dockerEnv } from '../../__tests__/helpers/docker.js';
import { localIndex } from '../../__tests__/helpers/local-index.js';
import { BenchRow, median } from '../run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BASE_IMAGE = TEST_MANYLINUX_IMAGE;
const PEER_IMAGE = 'albatross-bench/package-peer:1';
function benchDockerEnv(): NodeJS.ProcessEnv {
  // The peer is the legacy builder, so both sides build without BuildKit's extra machinery.
  return { ...dockerEnv(), DOCKER_BUILDKIT: '0' };
}

/** `docker rmi` of each image (an untagged one takes its build's intermediate images along). */
function removeImages(ids: Iterable<string>): void {
  for (const id of ids) {
    try {
      execFileSync('docker', ['rmi', id], { env: benchDockerEnv(), stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
}

function docker(args: string[]): string {
  return execFileSync('docker', args, {
    env: benchDockerEnv(),
    encoding: 'utf8',
    maxBuffer: 64 << 20
  });
}

/** The two Dockerfiles: the same wheels from the context, into a venv or the system Python. */
const DOCKERFILES = {
  venv: [
    `FROM ${BASE_IMAGE}`,
    'COPY wheels/ /tmp/wheels/',
    'RUN python3 -m venv /app/venv && /app/venv/bin/pip install --no-cache-dir --no-index --find-links /tmp/wheels albatross-package-app',
    'ENTRYPOINT ["/app/venv/bin/pkgapp"]',
    ''
  ].join('\n'),
  system: [
    `FROM ${BASE_IMAGE}`,
    'COPY wheels/ /tmp/wheels/',
    'RUN python3 -m pip install --no-cache-dir --no-index --find-links /tmp/wheels albatross-package-app',
    'ENTRYPOINT ["pkgapp"]',
    ''
  ].join('\n')
};
type Variant = keyof typeof DOCKERFILES;
const N = Number(process.env.ALBATROSS_BENCH_N ?? 5);

/**
 * Times each function in turn, `n` rounds; the median seconds of each. A function may return
 * an untimed clean-up step.
 */
async function interleaved(n: number, fns: (() => Promise<unknown>)[]): Promise<number[]> {
  const times: number[][] = fns.map(() => []);
  for (let i = 0; i < n; i++)
    for (const [k, fn] of fns.entries()) {
      const t = process.hrtime.bigint();
      const after = await fn();
      times[k].push(Number(process.hrtime.bigint() - t) / 1e9);
      if (typeof after === 'function') await (after as () => Promise<void>)();
    }
  return times.map(median);
}

export default async function rows(): Promise<BenchRow[]> {
  try {
    docker(['image', 'inspect', BASE_IMAGE]);
  } catch {
    throw new Error(
      `needs the engine and ${BASE_IMAGE} (scripts/ci/start-dockerd.sh, scripts/ci/make-test-images.sh)`
    );
  }
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'albatross-bench-package-'));
  try {
    const index = localIndex();
    const py = (await findPython('3.11')) ?? (await discoverPythons())[0];
    const baseTar = path.join(tmp, 'base.tar');
    docker(['save', '-o', baseTar, BASE_IMAGE]);
    // A CLI user's caches (uv's, the base store, Albatross's downloads) stay between rounds;
    // the dependency layer cache is emptied before every timed build.
    // The pinned uv, from pip's configured index (PyPI): the local index has no uv.
    const uv = path.join(
      path.dirname(
        await ensurePinnedTool(py, UV_TOOL, defaultOptions({ cacheDir: path.join(tmp, 'cache') }))
      ),
      'uv'
    );
    const opts = (project: string, installer: 'uv' | 'pip' = 'uv'): Options =>
      defaultOptions({
        ...index,
        projectDir: project,
        base: `docker-archive:${baseTar}`,
        sourceDateEpoch: 1700000000,
        cacheDir: path.join(tmp, 'cache'),
        installer,
        uv: installer === 'uv' ? uv : ''
      });

    // Two variants: the fixture, and the fixture after a code-only change.
    const prepare = async (
      v: string,
      edit: string | null
    ): Promise<{ project: string; wheels: string; ctx: string }> => {
      const project = path.join(tmp, v);
      await fs.cp(path.join(ROOT, 'fixtures', 'package-app'), project, { recursive: true });
      if (edit) {
        const cli = path.join(project, 'src', 'pkgapp', 'cli.py');
        await fs.writeFile(
          cli,
          (await fs.readFile(cli, 'utf8')).replace('hello from pkgapp', `${edit} from pkgapp`)
        );
      }
      const wheels = path.join(tmp, `wheels-${v}`);
      const ctx = path.join(tmp, `ctx-${v}`);
      const pipWheel = (args: string[]): Promise<unknown> =>
        exec([py.executable, '-m', 'pip', 'wheel', '--quiet', ...args, project], {
          extraEnv: pipEnv(defaultOptions(index))
        });
      await pipWheel(['--no-deps', '--wheel-dir', wheels]);
      // The peer's wheelhouse: the app and its dependencies.
      await pipWheel(['--wheel-dir', path.join(ctx, 'wheels')]);
      for (const [v, text] of Object.entries(DOCKERFILES))
        await fs.writeFile(path.join(ctx, `Dockerfile.${v}`), text);
      return { project, wheels, ctx };
    };
    const a = await prepare('a', null);
    const b = await prepare('b', 'hi again');
    // Fresh code-only changes: a variant either side has built before would be a cache hit.
    const edits: { project: string; wheels: string; ctx: string }[] = [];
    for (let i = 0; i < 3; i++) edits.push(await prepare(`edit${i}`, `hello #${i}`));

    let n = 0;
    const ours = async (
      v: { project: string; wheels: string },
      installer: 'uv' | 'pip' = 'uv'
    ): Promise<ArtifactEntry> => {
      const out = path.join(tmp, `out-${n++}`);
      await fs.cp(v.wheels, out, { recursive: true });
      const log = memoryLogger();
      const o = opts(v.project, installer);
      const model = await detectProject(o, log);
      const r = await packageProject({
        model,
        opts: o,
        log,
        outDir: out,
        formats: [formatNamed('image')],
        recorder: await recordWheels(out, model, log)
      });
      if (!r.ok)
        throw new Error(
          `albatross package failed: ${r.manifest.failures.map((f) => f.message).join('; ')}`
        );
      return r.manifest.artifacts.find((x) => x.kind === 'image') as ArtifactEntry;
    };
    // Every image docker build makes (the untagged ones of --no-cache rounds too) is removed.
    const built = new Set<string>();
    const peer = (ctx: string, variant: Variant, cache: boolean): void => {
      const id = docker([
        'build',
        ...(cache ? [] : ['--no-cache']),
        '-q',
        '-f',
        path.join(ctx, `Dockerfile.${variant}`),
        '-t',
        PEER_IMAGE,
        ctx
      ]).trim();
      built.add(id);
    };

    // Each timed build's OUT (half a gigabyte) is removed untimed, so that no later build
    // waits on the write-back of earlier ones.
    const dropOut = (k: number) => () =>
      fs.rm(path.join(tmp, `out-${k}`), { recursive: true, force: true });
    // Warm-up: Python discovery, the pinned uv, the base store; the engine holds the base too.
    await ours(a);
    await ours(a, 'pip');
    for (const k of [0, 1]) await dropOut(k)();
    peer(a.ctx, 'venv', false);
    peer(a.ctx, 'system', false);
    const layerCache = path.join(tmp, 'cache', 'package', 'layers');
    const cold = (installer: 'uv' | 'pip') => async (): Promise<() => Promise<void>> => {
      await fs.rm(layerCache, { recursive: true, force: true });
      await ours(a, installer);
      return dropOut(n - 1);
    };
    // Without build caches on either side: our dependency layer is rebuilt, docker reruns every step.
    const [tUv, tPip, tVenv, tSystem] = await interleaved(N, [
      cold('uv'),
      cold('pip'),
      async () => peer(a.ctx, 'venv', false),
      async () => peer(a.ctx, 'system', false)
    ]);
    // The same while an earlier archive on this base is still in place (kept in OUT, say):
    // it holds the stored prefix, so each build copies the prefix instead of sharing it.
    await ours(a);
    const holder = path.join(tmp, `out-${n - 1}`);
    const [tCopied, tSystemAgain] = await interleaved(N, [
      cold('uv'),
      async () => peer(a.ctx, 'system', false)
    ]);
    await fs.rm(holder, { recursive: true, force: true });
    // A code-only change, caches on both sides: we reuse the dependency layer and install the
    // project's wheel; docker's COPY of the changed wheelhouse invalidates its pip install step.
    let ourEdit = 0;
    let peerEdit = 0;
    peer(a.ctx, 'system', true);
    const [editOurs, editPeer] = await interleaved(edits.length, [
      async () => {
        await ours(edits[ourEdit++]);
        return dropOut(n - 1);
      },
      async () => peer(edits[peerEdit++].ctx, 'system', true)
    ]);
    const edit = { ours: editOurs, peer: editPeer };

    // Sizes as the engine counts them (uncompressed): load ours, inspect both.
    const imgA = await ours(a);
    docker(['load', '-i', path.join(tmp, `out-${n - 1}`, imgA.file)]);
    const size = (img: string): number =>
      parseInt(docker(['image', 'inspect', '--format', '{{.Size}}', img]).trim(), 10);
    const oursSize = size(imgA.imageName as string);
    const peerSize = size(PEER_IMAGE);
    const baseSize = size(BASE_IMAGE);

    // Code-only change: Albatross adds its application layer; docker build redoes COPY and RUN.
    const imgB = await ours(b);
    type L = { digest: string; size: number; tarSize?: number };
    const before = new Set((imgA.details?.layers as L[]).map((l) => l.digest));
    const fresh = (imgB.details?.layers as L[]).filter((l) => !before.has(l.digest));
    const oursNew = fresh.reduce((s, l) => s + (l.tarSize ?? l.size), 0);
    peer(b.ctx, 'system', true);
    const peerSizeB = size(PEER_IMAGE);
    const peerNew = peerSizeB - baseSize;
    docker(['rmi', '-f', imgA.imageName as string, PEER_IMAGE]);
    removeImages(built);
    const caches =
      "no layer caches on either side; both bases local; ours keeps a CLI user's caches (uv's, downloads by hash)";
    const coldRow = (
      name: string,
      t: number,
      p: number,
      peerName: string,
      goal?: number,
      note = caches
    ): BenchRow => ({
      name,
      unit: 's',
      ours: t,
      peer: p,
      peerName,
      ratio: t / p,
      ...(goal === undefined ? {} : { goal }),
      note
    });
    return [
      coldRow(
        'package: image build (a) vs a venv in the Dockerfile',
        tUv,
        tVenv,
        'docker build --no-cache, python3 -m venv + pip',
        0.3
      ),
      coldRow(
        'package: image build (b) vs pip into the system Python',
        tUv,
        tSystem,
        'docker build --no-cache, python3 -m pip',
        0.3
      ),
      coldRow(
        'package: image build (b), an earlier archive still in place',
        tCopied,
        tSystemAgain,
        'docker build --no-cache, python3 -m pip',
        undefined,
        'the earlier archive holds the stored prefix, so the build copies it (one kernel copy)'
      ),
      coldRow(
        'package: image build (b), installer = pip',
        tPip,
        tSystem,
        'docker build --no-cache, python3 -m pip',
        undefined,
        'as (b) with pip resolving and installing instead of uv'
      ),
      {
        name: 'package: image rebuild after a code-only change',
        unit: 's',
        ours: edit.ours,
        peer: edit.peer,
        peerName: 'docker build with its cache (legacy builder)',
        ratio: edit.ours / edit.peer,
        note: 'dependency layer reused; docker reruns COPY and pip install'
      },
      {
        name: 'package: image size',
        unit: 'bytes',
        ours: oursSize,
        peer: peerSize,
        peerName: 'docker build',
        ratio: oursSize / peerSize,
        goal: 1.0
      },
      {
        name: 'package: code-only rebuild, new layer bytes',
        unit: 'bytes',
        ours: oursNew,
        peer: peerNew,
        peerName: 'docker build (cached FROM)',
        ratio: oursNew / peerNew,
        note: `ours ${((100 * oursNew) / oursSize).toFixed(4)}% of the image, docker ${((100 * peerNew) / peerSizeB).toFixed(4)}% of its image`
      }
    ];
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
