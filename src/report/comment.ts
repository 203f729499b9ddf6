import { promises as fs } from 'node:fs';
import * as github from '@actions/github';
import { Logger } from '../runtime/log.js';
import { COMMENT_MARKER } from './markdown.js';

/** The pull request a workflow run belongs to, read from the event payload. */
export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
  /** True when the head branch lives in another repository (its token is read-only). */
  fromFork: boolean;
}

export type CommentOutcome =
  { action: 'created' | 'updated'; id: number } | { action: 'skipped'; reason: string };

/** The comment's author is an app (github-actions[bot], or the app a token belongs to). */
export function isBot(user: { login?: string; type?: string } | null | undefined): boolean {
  return user?.type === 'Bot' || /\[bot\]$/.test(user?.login ?? '');
}

/** Reads GITHUB_EVENT_PATH; null when the run is not for a pull request. */
export async function pullRequestFromEvent(
  env: NodeJS.ProcessEnv = process.env
): Promise<PullRequestRef | null> {
  const file = env.GITHUB_EVENT_PATH;
  if (!file) return null;
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  const pr = payload.pull_request as
    | {
        number?: number;
        head?: { repo?: { full_name?: string } };
        base?: { repo?: { full_name?: string } };
      }
    | undefined;
  if (!pr || typeof pr.number !== 'number') return null;
  const full = env.GITHUB_REPOSITORY ?? pr.base?.repo?.full_name ?? '';
  const [owner, repo] = full.split('/');
  if (!owner || !repo) return null;
  const head = pr.head?.repo?.full_name;
  return { owner, repo, number: pr.number, fromFork: Boolean(head && head !== full) };
}

/**
 * One comment per pull request: finds ours by the hidden marker and updates it in place, or
 * creates it. A token that cannot write (forks, missing permissions) is a notice, not a failure.
 */
export async function upsertStickyComment(
  token: string,
  pr: PullRequestRef,
  body: string,
  log: Logger,
  marker = COMMENT_MARKER
): Promise<CommentOutcome> {
  if (!token) {
    log.warn('PR comment skipped: no github-token');
    return { action: 'skipped', reason: 'no token' };
  }
  const octokit = github.getOctokit(token, {
    baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com'
  });
  const where = { owner: pr.owner, repo: pr.repo };
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...where,
      issue_number: pr.number,
      per_page: 100
    });
    // Only a bot's comment is ours: a person quoting the marker keeps their comment.
    const ours = comments.find((c) => isBot(c.user) && (c.body ?? '').includes(marker));
    if (ours) {
      await octokit.rest.issues.updateComment({ ...where, comment_id: ours.id, body });
      log.info(`updated the report comment on #${pr.number}`);
      return { action: 'updated', id: ours.id };
    }
    const created = await octokit.rest.issues.createComment({
      ...where,
      issue_number: pr.number,
      body
    });
    log.info(`posted the report comment on #${pr.number}`);
    return { action: 'created', id: created.data.id };
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 403 || status === 404) {
      const why = pr.fromFork
        ? 'the pull request comes from a fork'
        : 'the token lacks `pull-requests: write`';
      const msg = `PR comment skipped: the token cannot write comments (fork?): ${why} (HTTP ${status})`;
      if (log.notice) log.notice(msg);
      else log.info(msg);
      return { action: 'skipped', reason: `HTTP ${status}` };
    }
    throw e;
  }
}
