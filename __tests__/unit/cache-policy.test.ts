import { afterAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { saveBlockedReason } from '../../src/cache/policy.js';

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-policy-'));
let n = 0;
async function eventFile(payload: string): Promise<string> {
  const file = path.join(tmp, `event-${n++}.json`);
  await fs.writeFile(file, payload);
  return file;
}
const pr = (head: object | null, base = 'o/r') =>
  JSON.stringify({ pull_request: { head: { repo: head }, base: { repo: { full_name: base } } } });

describe('cache save policy (cache poisoning), like setup-uv enable-cache: auto', () => {
  it.each<[string, Record<string, string>, string | null, string | undefined]>([
    [
      'a branch push saves',
      { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' },
      null,
      undefined
    ],
    ['a schedule saves', { GITHUB_EVENT_NAME: 'schedule' }, null, undefined],
    ['no event (the CLI) saves', {}, null, undefined],
    [
      'a tag push',
      { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/tags/v1.0.0' },
      null,
      'tag push refs/tags/v1.0.0'
    ],
    [
      'pull_request_target',
      { GITHUB_EVENT_NAME: 'pull_request_target' },
      null,
      'event pull_request_target'
    ],
    ['workflow_run', { GITHUB_EVENT_NAME: 'workflow_run' }, null, 'event workflow_run'],
    [
      'release',
      { GITHUB_EVENT_NAME: 'release', GITHUB_REF: 'refs/tags/v1' },
      null,
      'event release'
    ],
    ['issue_comment', { GITHUB_EVENT_NAME: 'issue_comment' }, null, 'event issue_comment'],
    ['merge_group', { GITHUB_EVENT_NAME: 'merge_group' }, null, 'event merge_group'],
    [
      'a PR from a fork',
      { GITHUB_EVENT_NAME: 'pull_request' },
      pr({ fork: true, full_name: 'x/r' }),
      'pull request from a fork'
    ],
    [
      'a PR from another repository',
      { GITHUB_EVENT_NAME: 'pull_request' },
      pr({ fork: false, full_name: 'x/r' }),
      'pull request from a fork'
    ],
    [
      'a PR from a deleted fork (head.repo null)',
      { GITHUB_EVENT_NAME: 'pull_request' },
      pr(null),
      'pull request from a deleted fork'
    ],
    [
      'a PR from the same repository',
      { GITHUB_EVENT_NAME: 'pull_request' },
      pr({ fork: false, full_name: 'o/r' }),
      undefined
    ],
    [
      'an unreadable payload (not JSON)',
      { GITHUB_EVENT_NAME: 'pull_request' },
      '{"pull_request": ',
      'unreadable event payload'
    ],
    [
      'a payload path that does not exist',
      { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: '/nonexistent/event.json' },
      null,
      'unreadable event payload'
    ],
    [
      'a pull_request event without a payload file',
      { GITHUB_EVENT_NAME: 'pull_request' },
      null,
      'unreadable event payload'
    ]
  ])('%s', async (_name, vars, payload, reason) => {
    const env: NodeJS.ProcessEnv = { ...vars };
    if (payload !== null) env.GITHUB_EVENT_PATH = await eventFile(payload);
    expect(saveBlockedReason(env)).toBe(reason);
  });

  afterAll(() => fs.rm(tmp, { recursive: true, force: true }));
});
