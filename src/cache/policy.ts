import { readFileSync } from 'node:fs';

/** Events whose runs may carry untrusted code into a trusted cache scope (cache poisoning). */
export const NO_SAVE_EVENTS = ['pull_request_target', 'workflow_run', 'release'];

/** Why this run must not save to the cache, or undefined when saving is allowed. */
export function saveBlockedReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const event = env.GITHUB_EVENT_NAME ?? '';
  if (NO_SAVE_EVENTS.includes(event)) return `event ${event}`;
  if (!env.GITHUB_EVENT_PATH || !event.startsWith('pull_request')) return undefined;
  try {
    const payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
      pull_request?: {
        head?: { repo?: { fork?: boolean; full_name?: string } };
        base?: { repo?: { full_name?: string } };
      };
    };
    const pr = payload.pull_request;
    if (!pr) return undefined;
    if (pr.head?.repo?.fork === true) return 'pull request from a fork';
    const head = pr.head?.repo?.full_name;
    const base = pr.base?.repo?.full_name;
    if (head && base && head !== base) return 'pull request from a fork';
    if (!pr.head?.repo) return 'pull request from a deleted fork';
  } catch {
    // An unreadable event payload cannot prove the run is trusted.
    return 'unreadable event payload';
  }
  return undefined;
}
