import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execCapture } from '../../src/runtime/exec.js';
import { MANIFEST_NAME } from '../../src/manifest/io.js';
import { ownDir, ownPath } from '../../src/manifest/paths.js';
import { COMMENT_MARKER, VERDICT } from '../../src/report/markdown.js';
import { ActionsServices, startActionsServices } from '../helpers/actions-services.js';
import { runDriver } from '../helpers/services/run-driver.js';
import { nativeJob, pureJob, verifyReport } from '../unit/report-fixtures.js';

/**
 * The Action end to end as the runner runs it: `node src/action/index.ts` with INPUT_* env,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files and a pull_request event; the PR comment goes to
 * a local server speaking the GitHub REST endpoints used (list, create, update issue
 * comments), the artifact upload to the local cache/artifact services.
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOKEN = 'ghs_local_test_token';
/** tsx by file URL: the Action runs with the workspace (not this repository) as its cwd. */
const TSX = pathToFileURL(path.join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;

interface Comment {
  id: number;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
}

/** GitHub's issue-comment endpoints, in memory; `readOnly` answers writes with 403 like a fork's token. */
async function startGitHub(): Promise<{
  url: string;
  comments: Comment[];
  requests: string[];
  readOnly: boolean;
  stop(): Promise<void>;
}> {
  const state = { comments: [] as Comment[], requests: [] as string[], readOnly: false };
  let nextId = 1000;
  state.comments.push({
    id: nextId++,
    body: 'Looks good to me!',
    user: { login: 'octocat', type: 'User' }
  });
  // A person quoting our marker: never taken for our comment, never overwritten.
  state.comments.push({
    id: nextId++,
    body: `> ${COMMENT_MARKER}\n> why is the wheel bigger?`,
    user: { login: 'octocat', type: 'User' }
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      state.requests.push(`${req.method} ${url.pathname}`);
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `token ${TOKEN}`)
        return send(401, { message: 'Bad credentials' });
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { body: string })
        : null;
      const write = req.method !== 'GET';
      if (write && state.readOnly)
        return send(403, { message: 'Resource not accessible by integration' });
      let m: RegExpExecArray | null;
      if (
        (m = /^\/repos\/octo\/greeter\/issues\/(\d+)\/comments$/.exec(url.pathname)) &&
        m[1] === '7'
      ) {
        if (req.method === 'GET') return send(200, state.comments);
        if (req.method === 'POST') {
          const c: Comment = {
            id: nextId++,
            body: body!.body,
            user: { login: 'github-actions[bot]', type: 'Bot' }
          };
          state.comments.push(c);
          return send(201, c);
        }
      }
      if (
        (m = /^\/repos\/octo\/greeter\/issues\/comments\/(\d+)$/.exec(url.pathname)) &&
        req.method === 'PATCH'
      ) {
        const c = state.comments.find((x) => x.id === Number(m![1]));
        if (!c) return send(404, { message: 'Not Found' });
        c.body = body!.body;
        return send(200, c);
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((r) => server.close(() => r()))
  });
}

/** Parses GITHUB_OUTPUT (`name<<delimiter` blocks, as @actions/core writes them). */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]] = m[3];
  return out;
}

const sha = async (f: string): Promise<string> =>
  createHash('sha256')
    .update(await fs.readFile(f))
    .digest('hex');

describe('the Action, command report (end to end)', () => {
  let tmp: string;
  let gh: Awaited<ReturnType<typeof startGitHub>>;
  let services: ActionsServices;

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'action-report-'));
    gh = await startGitHub();
    services = await startActionsServices();
  });

  afterAll(async () => {
    await gh?.stop();
    await services?.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  /** Runs the Action once; returns its exit code, outputs, summary and log. */
  async function runAction(
    name: string,
    inputs: Record<string, string>,
    event: object,
    extraEnv: Record<string, string> = {}
  ) {
    const dir = path.join(tmp, name);
    await fs.mkdir(dir, { recursive: true });
    const files = {
      output: path.join(dir, 'output'),
      summary: path.join(dir, 'summary.md'),
      event: path.join(dir, 'event.json')
    };
    await fs.writeFile(files.output, '');
    await fs.writeFile(files.summary, '');
    await fs.writeFile(files.event, JSON.stringify(event));
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!/^(ACTIONS_|GITHUB_|RUNNER_|INPUT_|NODE_OPTIONS$)/.test(k)) env[k] = v;
    }
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
    Object.assign(env, {
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: files.event,
      GITHUB_REPOSITORY: 'octo/greeter',
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: 'abcdef0123456789abcdef0123456789abcdef01',
      GITHUB_API_URL: gh.url,
      RUNNER_TEMP: dir,
      ...extraEnv
    });
    const r = await execCapture(
      [process.execPath, '--import', TSX, path.join(REPO, 'src/action/index.ts')],
      {
        cwd: tmp,
        // The runner's own environment (INPUT_*, GITHUB_OUTPUT ...), as the runner starts an action.
        fullEnv: env,
        timeoutMs: 180_000
      }
    );
    return {
      code: r.code,
      log: r.output,
      outputs: parseOutputs(await fs.readFile(files.output, 'utf8')),
      summary: await fs.readFile(files.summary, 'utf8')
    };
  }

  const prEvent = (head = 'octo/greeter') => ({
    action: 'synchronize',
    number: 7,
    pull_request: {
      number: 7,
      head: { repo: { full_name: head } },
      base: { repo: { full_name: 'octo/greeter' } }
    }
  });
  const ours = () =>
    gh.comments.filter((c) => c.user.type === 'Bot' && c.body.includes(COMMENT_MARKER));
  const RUN = 'https://github.com/octo/greeter/actions/runs/4242';

  it('comments once, then updates the same comment; writes summary and outputs; uploads the job directory', async () => {
    // Run 1: one job's output directory, as a build job leaves it (real files, real sizes).
    const job = path.join(tmp, 'job-out');
    await fs.mkdir(job, { recursive: true });
    const m = pureJob();
    for (const a of m.artifacts) {
      const bytes = Buffer.alloc(a.size, a.file);
      await fs.writeFile(path.join(job, a.file), bytes);
      a.sha256 = createHash('sha256').update(bytes).digest('hex');
    }
    await fs.mkdir(ownDir(job));
    await fs.writeFile(ownPath(job, 'manifest'), JSON.stringify(m));
    const repro = verifyReport();
    repro.reproducible = true;
    repro.artifacts = repro.artifacts.filter((a) => a.reproducible);
    await fs.writeFile(ownPath(job, 'reproducibility'), JSON.stringify(repro));
    // The base branch's last report: an older, smaller wheel.
    const base = path.join(tmp, 'base');
    await fs.mkdir(base);
    await fs.writeFile(
      path.join(base, 'albatross-aggregate.json'),
      JSON.stringify(pureJob('1.1.0', 5000))
    );

    const first = await runAction(
      'run1',
      {
        command: 'report',
        'project-dir': job,
        out: '.',
        'base-manifest': base,
        'github-token': TOKEN,
        'artifact-name': 'albatross-build-sdist-any'
      },
      prEvent(),
      services.env
    );
    expect({ code: first.code, log: first.code ? first.log : '' }).toEqual({ code: 0, log: '' });
    expect(ours()).toHaveLength(1);
    const id = ours()[0].id;
    // Short and linked: the headline links the run, the artifact just uploaded and the commit.
    const artifactUrl = `${RUN}/artifacts/${first.outputs['artifact-id']}`;
    expect(first.outputs['artifact-url']).toBe(artifactUrl);
    expect(ours()[0].body.split('\n').slice(0, 2)).toEqual([
      COMMENT_MARKER,
      `**Albatross: greeter 1.2.0** · ✅ all artifacts built · 2 artifacts, 9.4 kB · +321 B (+3.5%) vs base · [Run](${RUN}) · [Artifact](${artifactUrl}) · commit [\`abcdef0\`](https://github.com/octo/greeter/commit/abcdef0123456789abcdef0123456789abcdef01)`
    ]);
    // Verify compared the sdist only: the headline says so.
    expect(ours()[0].body).toContain(
      '**✅ 1 of 2 artifacts verified reproducible (1 not verified)**'
    );
    expect(ours()[0].body).toContain(
      '| greeter-1.2.0-py3-none-any.whl | wheel | any | 3.12 | 5.3 kB | +321 B (+6.4%) |'
    );

    // The job summary: the tables and the verdicts.
    expect(first.summary).toContain('## Albatross: greeter 1.2.0');
    expect(first.summary).toContain(
      '**✅ all artifacts built** · **✅ 1 of 2 artifacts verified reproducible (1 not verified)**'
    );
    expect(first.summary).toContain(`[Workflow run](${RUN})`);
    expect(first.summary).toMatch(/^\| Jobs \| Artifacts \| Total size \|.*\n\|---:\|/m);
    expect(first.summary).toMatch(
      /^\| File \| Kind \| Platform \| Python \| Size \| Δ vs base \| sha256 \| Test \|$/m
    );
    expect(first.summary).toMatch(/^\| greeter-1\.2\.0\.tar\.gz \| ✅ reproducible \| 0 \| 0 \|/m);
    expect(first.summary).toContain('| sdist-any | ✅ exact |');

    // Outputs for later steps.
    expect(JSON.parse(first.outputs.report)).toMatchObject({
      ok: true,
      totals: { artifacts: 2, failures: 0 },
      comment: { action: 'created', id }
    });
    expect(first.outputs.reproducible).toBe('true');
    expect(first.outputs.summary).toBe(ownPath(job, 'summary'));
    expect(await fs.readFile(first.outputs.summary, 'utf8')).toContain('### Artifacts');
    expect(JSON.parse(first.outputs.artifacts).map((a: { file: string }) => a.file)).toEqual(
      m.artifacts.map((a) => a.file)
    );

    // The upload, read back through the artifact service: the artifacts and the reports.
    expect(services.calls).toEqual(
      expect.arrayContaining(['ArtifactService/CreateArtifact', 'ArtifactService/FinalizeArtifact'])
    );
    {
      expect(first.outputs['artifact-id']).toMatch(/^\d+$/);
      const back = path.join(tmp, 'downloaded');
      const { result } = await runDriver<[{ files: string[] }]>(
        [['artifact-download', { name: 'albatross-build-sdist-any', dir: back }]],
        services.env
      );
      expect(result[0].files).toEqual([
        '.albatross/aggregate.json',
        '.albatross/manifest.json',
        '.albatross/reproducibility.json',
        '.albatross/summary.md',
        'greeter-1.2.0-py3-none-any.whl',
        'greeter-1.2.0.tar.gz'
      ]);
      for (const a of m.artifacts) expect(await sha(path.join(back, a.file))).toBe(a.sha256);
    }

    // Run 2: the whole matrix, now with a failed build: same comment, updated in place.
    const matrix = path.join(tmp, 'matrix');
    // Jobs of this version and one of the first version's layout, side by side.
    for (const [d, f, v] of [
      ['albatross-build-sdist-any', MANIFEST_NAME, pureJob()],
      ['albatross-build-manylinux-x86_64', 'albatross-manifest.json', nativeJob()],
      ['albatross-verify', '.albatross/reproducibility.json', verifyReport()]
    ] as const) {
      await fs.mkdir(path.dirname(path.join(matrix, d, f)), { recursive: true });
      await fs.writeFile(path.join(matrix, d, f), JSON.stringify(v));
    }
    const second = await runAction(
      'run2',
      {
        command: 'report',
        in: matrix,
        'project-dir': tmp,
        out: path.join(tmp, 'report-out'),
        'github-token': TOKEN
      },
      prEvent()
    );
    expect(second.code).toBe(1); // a failed build is a negative verdict…
    expect(second.log).toContain('::error::albatross report finished with exit code 1');
    expect(ours()).toHaveLength(1); // …but the comment is updated, never duplicated
    expect(ours()[0].id).toBe(id);
    expect(ours()[0].body.split('\n')[1]).toMatch(
      /^\*\*Albatross: greeter 1\.2\.0\*\* · ❌ 1 failure · /
    );
    expect(ours()[0].body).toContain(VERDICT.irreproducible);
    expect(gh.comments).toHaveLength(3); // ours and the reviewer's two, untouched
    expect(gh.comments[0].body).toBe('Looks good to me!');
    expect(gh.comments[1].body).toBe(`> ${COMMENT_MARKER}\n> why is the wheel bigger?`);
    expect(gh.requests.filter((r) => r.startsWith('POST'))).toHaveLength(1);
    expect(gh.requests.filter((r) => r.startsWith('PATCH'))).toHaveLength(1);
    expect(second.summary).toMatch(/^### ❌ Failures$/m);
    expect(second.summary.indexOf('### ❌ Failures')).toBeLessThan(
      second.summary.indexOf('### Artifacts')
    );
    expect(second.summary).toContain('&lt;script&gt;');
    expect(second.summary).not.toContain('<script>');
  });

  it('skips the comment with a notice when the token cannot write (fork), and still succeeds', async () => {
    gh.readOnly = true;
    const before = JSON.stringify(gh.comments);
    const job = path.join(tmp, 'fork-job');
    await fs.mkdir(ownDir(job), { recursive: true });
    await fs.writeFile(ownPath(job, 'manifest'), JSON.stringify(pureJob()));
    const r = await runAction(
      'fork',
      { command: 'report', 'project-dir': job, out: '.', 'github-token': TOKEN },
      prEvent('someone/greeter')
    );
    gh.readOnly = false;
    expect({ code: r.code, log: r.code ? r.log : '' }).toEqual({ code: 0, log: '' });
    expect(r.log).toMatch(
      /::notice::PR comment skipped: the token cannot write comments \(fork\?\): the pull request comes from a fork \(HTTP 403\)/
    );
    expect(JSON.stringify(gh.comments)).toBe(before);
    expect(JSON.parse(r.outputs.report).comment).toEqual({ action: 'skipped', reason: 'HTTP 403' });
    expect(r.summary).toContain(VERDICT.unverified);
  });
});
