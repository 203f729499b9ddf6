/**
 * `verify` wall time against a single build of the same project in the same loop (goal ≤ 1.25
 * without the sensitivity pass, ≤ 1.5 with it: issue 15), and against reprotest (Debian's tool)
 * checking the same project's wheel build. The single build does what each of verify's builds
 * does (sdist and wheel, no inspection: verify's rebuilds skip it), so the ratio is what the
 * extra builds and the comparison cost; with three builds on two cores, 1.5 is what CPU-bound
 * builds would take.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProject } from '../../src/build/index.js';
import { Options, defaultOptions } from '../../src/config/options.js';
import { detectProject } from '../../src/detect/index.js';
import { commandExists, execCapture } from '../../src/runtime/exec.js';
import { memoryLogger } from '../../src/runtime/log.js';
import { pipEnv } from '../../src/runtime/pip.js';
import { findPython } from '../../src/runtime/python.js';
import { resolveSourceDateEpoch } from '../../src/runtime/sde.js';
import { ensureToolEnv } from '../../src/runtime/toolenv.js';
import { ManifestRecorder } from '../../src/manifest/recorder.js';
import { verifyProject } from '../../src/verify/run.js';
import { localIndex } from '../../__tests__/helpers/local-index.js';
import { BenchRow, sameLoop } from '../run.js';

const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/verify-clean-pure'
);
const PY = '3.12';
const N = Number(process.env.ALBATROSS_BENCH_N ?? 3);

export default async function (): Promise<BenchRow[]> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-bench-verify-'));
  try {
    const opts = defaultOptions({
      ...localIndex(),
      projectDir: FIXTURE,
      python: [PY],
      mode: 'host',
      test: false,
      inspect: false
    });
    const log = memoryLogger();
    const model = await detectProject(opts, log);
    let k = 0;
    const fresh = (): string => path.join(work, `o${k++}`);
    const single = async (): Promise<void> => {
      const r = await buildProject({ model, opts, log, outDir: fresh(), pythons: [PY] });
      if (!r.ok) throw new Error('single build failed');
    };
    const verify = (sensitivity: boolean) => async (): Promise<void> => {
      const out = fresh();
      const v = await verifyProject({
        model,
        opts: { ...opts, sensitivity },
        log,
        outDir: out,
        formats: [],
        recorder: await ManifestRecorder.open(out, model, log)
      });
      if (!v.result.reproducible) throw new Error('verify found the clean fixture irreproducible');
    };
    await single(); // warm the tool environments and pip's cache for both sides
    const rows: BenchRow[] = [];
    const row = (
      name: string,
      t: { ours: number; peer: number },
      peerName: string,
      goal?: number,
      note?: string
    ): BenchRow => ({
      name,
      unit: 's',
      ours: t.ours,
      peer: t.peer,
      peerName,
      ratio: t.ours / t.peer,
      goal,
      note
    });
    // The machine's load over the last minute, read when the row's loop has run.
    const cpus = (): string =>
      `${os.availableParallelism()} CPUs, load ${os.loadavg()[0].toFixed(1)}; single build without inspection, as verify's`;
    rows.push(
      row(
        'verify (A+B) vs single build, pure project',
        await sameLoop(N, verify(false), single),
        'single build',
        1.25,
        cpus()
      )
    );
    rows.push(
      row(
        'verify (A+B+C) vs single build, pure project',
        await sameLoop(N, verify(true), single),
        'single build',
        1.5,
        cpus()
      )
    );
    rows.push(await reprotestRow(opts, verify(false), work));
    return rows;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** reprotest on the same project's `python -m build --wheel` (its own variations, minus those this host lacks). */
async function reprotestRow(
  opts: Options,
  ours: () => Promise<void>,
  work: string
): Promise<BenchRow> {
  const base = {
    name: 'verify (A+B) vs reprotest, pure project',
    unit: 's',
    peerName: 'reprotest'
  };
  if (!(await commandExists('reprotest'))) {
    return {
      ...base,
      ours: 0,
      peer: 0,
      ratio: 0,
      note: 'reprotest is not installed (apt-get install reprotest); not measured'
    };
  }
  const python = await findPython(PY);
  if (!python) return { ...base, ours: 0, peer: 0, ratio: 0, note: `no CPython ${PY}` };
  const tool = await ensureToolEnv(python, ['build'], opts);
  const sde = await resolveSourceDateEpoch(opts, FIXTURE);
  let last = '';
  const peer = async (): Promise<void> => {
    const src = path.join(work, `rp-${Date.now()}`);
    await fs.cp(FIXTURE, src, { recursive: true });
    // reprotest takes its build command as one shell string (its interface); the python path is quoted.
    const r = await execCapture(
      [
        'reprotest',
        '--no-diffoscope',
        '--vary=-fileordering',
        '-c',
        `'${tool}' -m build --wheel --outdir dist .`,
        src,
        'dist/*.whl'
      ],
      {
        extraEnv: { ...pipEnv(opts), SOURCE_DATE_EPOCH: String(sde.value) },
        timeoutMs: 20 * 60_000
      }
    );
    last =
      r.code === 0
        ? 'reprotest: reproducible'
        : /differ/.test(r.output)
          ? 'reprotest: wheels differ'
          : `reprotest exit ${r.code}`;
    await fs.rm(src, { recursive: true, force: true });
  };
  const t = await sameLoop(N, ours, peer);
  return {
    ...base,
    ours: t.ours,
    peer: t.peer,
    ratio: t.ours / t.peer,
    note: `${last}; disorderfs (FUSE) unavailable here, so reprotest's fileordering variation is off; reprotest builds sequentially, without Albatross's normalisation`
  };
}
