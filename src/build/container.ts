import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { ProjectModel } from '../detect/model.js';
import { ArtifactEntry, TestResult } from '../manifest/model.js';
import { Engine, Mount, execArgs, removeArgs, runArgs } from '../runtime/container.js';
import { onInterrupt } from '../runtime/cleanup.js';
import { passedEnv } from '../runtime/childenv.js';
import { execCapture } from '../runtime/exec.js';
import { extractMembers } from '../runtime/extract.js';
import { Logger } from '../runtime/log.js';
import { cpTag } from '../runtime/python.js';
import { processSetup } from './env.js';
import { Executor, StepError, StepLog, step } from './executor.js';
import { onlyOutput } from './host.js';
import { BuildEnvironment } from './index.js';
import { Member } from './normalize/archive.js';
import { stageWheel } from './normalize/wheel.js';
import { hardRequirements, runWheelTest } from './testinstall.js';
import { wheelContents } from './wheelinfo.js';

/** Where the work directory appears inside the container. */
export const CONTAINER_WORK = '/albatross';

export interface ContainerSession {
  engine: Engine;
  image: string;
  /** Wheel platform tag = auditwheel policy, e.g. `manylinux_2_28_x86_64`. */
  platformTag: string;
  name: string;
  /** Host directory mounted at CONTAINER_WORK. */
  hostWork: string;
  hasAuditwheel: boolean;
  opts: Options;
  benv?: BuildEnvironment;
  close(): Promise<void>;
}

export interface ContainerWheel {
  file: string;
  data: Buffer;
  entry: Omit<ArtifactEntry, 'sha256' | 'size' | 'file'>;
  test?: TestResult;
}

/** Local directories behind index options (file:// URLs and plain paths), mounted read-only. */
export function localIndexDirs(opts: Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks'>): {
  dirs: string[];
  allLocal: boolean;
} {
  const dirs: string[] = [];
  let allLocal = true;
  for (const u of [opts.indexUrl, ...opts.extraIndexUrl, ...opts.findLinks].filter(Boolean)) {
    // A file:// index's `simple/` pages usually link to files beside it: mount its parent.
    if (u.startsWith('file://'))
      dirs.push(decodeURIComponent(new URL(u).pathname).replace(/\/simple\/?$/, '') || '/');
    else if (u.startsWith('/')) dirs.push(u);
    else allLocal = false;
  }
  return { dirs: [...new Set(dirs)].sort(), allLocal };
}

/** The network a build container gets: none when every index is local or `no-index` is set. */
export function containerNetwork(
  opts: Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'>
): string | undefined {
  if (opts.noIndex) return 'none';
  const { allLocal } = localIndexDirs(opts);
  return allLocal && opts.indexUrl ? 'none' : undefined;
}

/** `docker run` spec of the long-lived build container (pure, table-tested). */
export function sessionRunArgs(
  engine: Engine,
  a: {
    image: string;
    name: string;
    hostWork: string;
    opts: Options;
    existing: (p: string) => boolean;
  }
): string[] {
  const mounts: Mount[] = [{ source: a.hostWork, target: CONTAINER_WORK }];
  for (const d of localIndexDirs(a.opts).dirs)
    if (a.existing(d)) mounts.push({ source: d, target: d, readonly: true });
  return runArgs(engine, {
    image: a.image,
    name: a.name,
    network: containerNetwork(a.opts),
    mounts,
    detach: true,
    rm: true,
    command: ['sleep', 'infinity']
  });
}

/** Starts the build container: the work dir bind-mounted, local indexes read-only, no network when offline. */
export async function openContainerSession(a: {
  engine: Engine;
  model: ProjectModel;
  opts: Options;
  log: Logger;
  workRoot: string;
  benv?: BuildEnvironment;
  image?: string;
  platformTag?: string;
}): Promise<ContainerSession> {
  const engine = a.engine;
  const image = a.image || a.opts.image;
  if (!image) throw new StepError('container build without an image (set image)', '');
  const hostWork = path.join(a.workRoot, 'container');
  await fs.mkdir(hostWork, { recursive: true });
  const name = `albatross-build-${randomBytes(6).toString('hex')}`;
  const existing = new Set<string>();
  for (const d of localIndexDirs(a.opts).dirs)
    if (
      await fs.stat(d).then(
        () => true,
        () => false
      )
    )
      existing.add(d);
  const argv = sessionRunArgs(engine, {
    image,
    name,
    hostWork,
    opts: a.opts,
    existing: (d) => existing.has(d)
  });
  // The build runs in the engine, out of reach of our process groups: an interrupt removes the
  // container itself (registered before `run`, which an interrupt may overtake).
  const forget = onInterrupt(() => execCapture(removeArgs(engine, name), { timeoutMs: 20_000 }));
  const r = await execCapture(argv, { timeoutMs: 10 * 60_000 });
  if (r.code !== 0) {
    forget();
    throw new StepError(
      `could not start the build container from ${image} (${engine})`,
      `$ ${argv.join(' ')}\n${r.output}`
    );
  }
  const probe = await execCapture(execArgs(engine, name, ['sh', '-c', 'command -v auditwheel']));
  const platformTag = a.platformTag ?? 'linux';
  a.log.info(
    `container ${name}: ${image} via ${engine}${probe.code === 0 ? `, auditwheel repair to ${platformTag}` : ', no auditwheel in the image: wheels will not be repaired'}`
  );
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return {
    engine,
    image,
    platformTag,
    name,
    hostWork,
    hasAuditwheel: probe.code === 0,
    opts: a.opts,
    benv: a.benv,
    close: async () => {
      // Files made by root in the bind mount are handed back to the caller before removal.
      await execCapture(execArgs(engine, name, ['chown', '-R', `${uid}:${gid}`, CONTAINER_WORK]));
      await execCapture(removeArgs(engine, name));
      forget();
    }
  };
}

/** Executor running argv inside the session's container with a fixed environment and umask. */
export function containerExecutor(
  s: ContainerSession,
  env: Record<string, string>,
  umask: string
): Executor {
  return {
    run: async (argv, o = {}) => {
      const t0 = Date.now();
      const inner = ['/bin/sh', '-c', `umask ${umask}; exec "$@"`, 'sh', ...argv];
      const r = await execCapture(
        execArgs(s.engine, s.name, inner, { env: { ...env, ...(o.env ?? {}) }, workdir: o.cwd }),
        { timeoutMs: o.timeoutMs }
      );
      return { ...r, seconds: (Date.now() - t0) / 1000 };
    }
  };
}

/** Strings from processSetup that go into the container (of the host's own variables, only `pass-env`'s). */
function containerEnv(
  s: ContainerSession,
  sde: number,
  buildDir: string | null
): { env: Record<string, string>; umask: string } {
  const setup = processSetup(
    s.opts,
    sde,
    buildDir,
    { releasePins: s.benv?.releasePins, extraEnv: s.benv?.extraEnv },
    passedEnv(s.opts.passEnv)
  );
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(setup.env)) if (v !== undefined) env[k] = v;
  const umask = /umask (\d+);/.exec(setup.wrap([])[2])?.[1] ?? '022';
  return { env, umask };
}

/**
 * One Python's wheel inside the container: unpacked sdist → an isolated PEP 517 build with the
 * image's `/opt/python/<tag>/bin/python` (`pip wheel`) → `auditwheel repair` when the image has it →
 * normalised on the host → installed into a venv inside the container and tested.
 */
export async function buildWheelInContainer(
  s: ContainerSession,
  a: { version: string; members: Member[]; sde: number; log: StepLog; logger: Logger }
): Promise<ContainerWheel> {
  const tag = cpTag(a.version);
  const py = `/opt/python/${tag}-${tag}/bin/python`;
  const hostBase = path.join(s.hostWork, `py${a.version}`);
  const base = `${CONTAINER_WORK}/py${a.version}`;
  await fs.rm(hostBase, { recursive: true, force: true });
  await extractMembers('the sdist', a.members, path.join(hostBase, 'src'));
  const top = a.members[0].name.split('/')[0];
  const src = `${base}/src/${top}`;
  const build = containerEnv(s, a.sde, src);
  const ex = containerExecutor(s, build.env, build.umask);

  await step(ex, a.log, `finding Python ${a.version} in ${s.image} (${py})`, ['test', '-x', py]);
  // The image's own pip is the wheel frontend (isolated PEP 517 build, as on the host).
  await step(
    ex,
    a.log,
    'wheel build (pip wheel)',
    [py, '-m', 'pip', 'wheel', '--no-deps', '--use-pep517', '--wheel-dir', `${base}/out`, src],
    {
      cwd: src
    }
  );
  let built = await onlyOutput(path.join(hostBase, 'out'), '.whl', a.log);
  let repaired = false;
  if (s.hasAuditwheel) {
    await step(ex, a.log, `auditwheel repair --plat ${s.platformTag}`, [
      'auditwheel',
      'repair',
      '--plat',
      s.platformTag,
      '-w',
      `${base}/repaired`,
      `${base}/out/${path.basename(built)}`
    ]);
    built = await onlyOutput(path.join(hostBase, 'repaired'), '.whl', a.log);
    repaired = true;
  }
  const staged = await stageWheel(built, a.sde, path.join(hostBase, 'staged'), a.version);
  const { file, data } = staged;
  const entry: ContainerWheel['entry'] = {
    ...staged.entry,
    repaired,
    details: { container: { image: s.image, engine: s.engine, policy: s.platformTag } }
  };
  if (!repaired)
    a.logger.warn(
      `${file}: not repaired (the image has no auditwheel); it keeps its ${entry.platformTag} tag`
    );
  let test: TestResult | undefined;
  if (s.opts.test) {
    const contents = await wheelContents(path.join(hostBase, 'staged', file));
    const t = containerEnv(s, a.sde, null);
    const tex = containerExecutor(s, t.env, t.umask);
    const venv = `${base}/test/venv`;
    await step(tex, a.log, 'creating the test venv', [
      py,
      '-m',
      'venv',
      ...(s.opts.testCommand ? [] : ['--without-pip']),
      venv
    ]);
    const pip = s.opts.testCommand
      ? [`${venv}/bin/python`, '-m', 'pip']
      : [py, '-m', 'pip', '--python', `${venv}/bin/python`];
    // Dependencies resolve through pip with the index options inside the container (the host's
    // wheel cache holds host-platform wheels).
    const install = hardRequirements(contents.requires).length ? [] : ['--no-index', '--no-deps'];
    await step(tex, a.log, 'installing the wheel into the test venv', [
      ...pip,
      'install',
      '--quiet',
      ...install,
      `${base}/staged/${file}`
    ]);
    await step(tex, a.log, 'test directory', ['mkdir', '-p', `${base}/test/cwd`]);
    test = await runWheelTest(
      tex,
      {
        venvPython: `${venv}/bin/python`,
        venvBin: `${venv}/bin`,
        cwd: `${base}/test/cwd`,
        testCommand: s.opts.testCommand,
        contents
      },
      a.log
    );
  }
  return { file, data, entry, test };
}
