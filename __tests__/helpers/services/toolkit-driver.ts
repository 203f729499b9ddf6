/**
 * Runs one @actions/cache / @actions/artifact / prepareWheelhouse operation in its own process
 * (the toolkit reads its environment at call time) and prints `RESULT:<json>` as its last line.
 * Usage: node --import tsx toolkit-driver.ts '[["op", {args}], ...]' (one process for a sequence:
 * loading the toolkit costs seconds).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as cache from '@actions/cache';
import { DefaultArtifactClient } from '@actions/artifact';
import { defaultOptions } from '../../../src/config/options.js';
import { openCompilerCache } from '../../../src/cache/compiler.js';
import { prepareWheelhouse } from '../../../src/cache/index.js';
import { memoryLogger } from '../../../src/runtime/log.js';

type Args = Record<string, unknown>;

const ops: Record<string, (a: Args) => Promise<unknown>> = {
  rm: async (a) => fs.rm(String(a.dir), { recursive: true, force: true }),
  /** File name → sha256 of every file under dir (relative names, sorted). */
  snapshot: async (a) => {
    const out: Record<string, string> = {};
    const root = String(a.dir);
    for (const f of ((await fs.readdir(root, { recursive: true })) as string[]).sort()) {
      const p = path.join(root, f);
      if ((await fs.stat(p)).isFile())
        out[f] = createHash('sha256')
          .update(await fs.readFile(p))
          .digest('hex');
    }
    return out;
  },
  'cache-save': async (a) => ({ id: await cache.saveCache([String(a.dir)], String(a.key)) }),
  'cache-restore': async (a) => ({
    matched:
      (await cache.restoreCache(
        [String(a.dir)],
        String(a.key),
        (a.restoreKeys as string[]) ?? []
      )) ?? null
  }),
  'artifact-upload': async (a) => {
    const client = new DefaultArtifactClient();
    const files = (a.files as string[]).map((f) => path.join(String(a.root), f));
    return client.uploadArtifact(String(a.name), files, String(a.root));
  },
  'artifact-list': async () => {
    const { artifacts } = await new DefaultArtifactClient().listArtifacts();
    return {
      artifacts: artifacts.map((x) => ({
        id: x.id,
        name: x.name,
        size: x.size,
        digest: x.digest ?? null
      }))
    };
  },
  'artifact-download': async (a) => {
    const client = new DefaultArtifactClient();
    const { artifact } = await client.getArtifact(String(a.name));
    const r = await client.downloadArtifact(artifact.id, {
      path: String(a.dir),
      expectedHash: artifact.digest
    });
    const files = (await fs.readdir(String(a.dir), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(String(a.dir), path.join(e.parentPath, e.name)));
    return { ...r, files: files.sort() };
  },
  /** Opens the compiler cache (restoring it), writes `write` into its directory, saves it. */
  'compiler-cache': async (a) => {
    const store = await openCompilerCache({
      opts: { cacheDir: String(a.cacheDir) },
      key: a.key as Parameters<typeof openCompilerCache>[0]['key']
    });
    for (const [rel, text] of Object.entries((a.write as Record<string, string>) ?? {})) {
      await fs.mkdir(path.dirname(path.join(store.dir, rel)), { recursive: true });
      await fs.writeFile(path.join(store.dir, rel), text);
    }
    const saved = await store.save(Number(a.misses ?? 0));
    return { dir: store.dir, report: store.report, saved };
  },
  wheelhouse: async (a) => {
    const log = memoryLogger();
    const r = await prepareWheelhouse({
      opts: defaultOptions(a.opts as never),
      log,
      python: a.python as { version: string; executable: string },
      requirements: a.requirements as string[],
      platformKey: String(a.platformKey),
      dest: String(a.dest)
    });
    return { report: r.report, wheels: (await fs.readdir(r.dir)).sort(), log: log.lines };
  }
};

const steps = JSON.parse(process.argv[2] ?? '[]') as [string, Args][];
const result: unknown[] = [];
for (const [op, args] of steps) {
  const fn = ops[op];
  if (!fn) throw new Error(`unknown op ${op}`);
  result.push((await fn(args ?? {})) ?? null);
}
// Keep-alive sockets of the toolkit's HTTP clients would hold the process open for seconds.
process.stdout.write(`\nRESULT:${JSON.stringify(result)}\n`, () => process.exit(0));
