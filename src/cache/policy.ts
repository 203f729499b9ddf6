import { readFileSync } from 'node:fs';

/**
 * Events whose runs must not write the cache (cache poisoning), as setup-uv's
 * `enable-cache: auto` decides: runs that may carry untrusted code into a trusted cache scope
 * (pull_request_target, workflow_run, issue_comment), and runs whose results ship or gate a
 * merge (release, merge_group) and so must leave nothing a later run trusts.
 */
export const NO_SAVE_EVENTS = [
  'pull_request_target',
  'workflow_run',
  'release',
  'issue_comment',
  'merge_group'
];

/** Why this run must not save to the cache, or undefined when saving is allowed. */
export function saveBlockedReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const event = env.GITHUB_EVENT_NAME ?? '';
  if (NO_SAVE_EVENTS.includes(event)) return `event ${event}`;
  // A tag push builds a release: like `release`, it saves nothing.
  if (event === 'push' && env.GITHUB_REF?.startsWith('refs/tags/'))
    return `tag push ${env.GITHUB_REF}`;
  if (!event.startsWith('pull_request')) return undefined;
  let pr: PullRequest | undefined;
  try {
    pr = (JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as Payload).pull_request;
  } catch {
    // An unreadable (or absent) event payload cannot prove the run is trusted.
    return 'unreadable event payload';
  }
  if (!pr) return undefined;
  // A deleted fork leaves `head.repo` null: nothing shows the code came from this repository.
  if (!pr.head?.repo) return 'pull request from a deleted fork';
  if (pr.head.repo.fork === true) return 'pull request from a fork';
  const head = pr.head.repo.full_name;
  const base = pr.base?.repo?.full_name;
  if (head && base && head !== base) return 'pull request from a fork';
  return undefined;
}

interface PullRequest {
  head?: { repo?: { fork?: boolean; full_name?: string } | null };
  base?: { repo?: { full_name?: string } };
}
interface Payload {
  pull_request?: PullRequest;
}
