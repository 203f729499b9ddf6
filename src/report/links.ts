import { escapeHtml } from './format.js';

/**
 * Where a report points in GitHub: the workflow run, the commit and the uploaded artifact,
 * built from the runner's environment the way actions/upload-artifact builds its URL.
 */
export interface RunLinks {
  /** `${server}/${repo}/actions/runs/${run}`. */
  run?: string;
  /** `${server}/${repo}/commit/${sha}`. */
  commit?: string;
  sha?: string;
  /** `${run}/artifacts/${id}`, once the artifact is uploaded. */
  artifact?: string;
}

/** The run and commit links of this workflow run; none outside GitHub Actions. */
export function runLinks(env: NodeJS.ProcessEnv = process.env): RunLinks {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const repo = env.GITHUB_REPOSITORY;
  if (env.GITHUB_ACTIONS !== 'true' || !repo) return {};
  const links: RunLinks = {};
  if (env.GITHUB_RUN_ID) links.run = `${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`;
  if (env.GITHUB_SHA) {
    links.sha = env.GITHUB_SHA;
    links.commit = `${server}/${repo}/commit/${env.GITHUB_SHA}`;
  }
  return links;
}

/** The page of one uploaded artifact of this run (null without a run or an id). */
export function artifactUrl(env: NodeJS.ProcessEnv, id: number | undefined): string | null {
  const run = runLinks(env).run;
  return run && id ? `${run}/artifacts/${id}` : null;
}

/** An artifact the Action uploaded: its name and page. */
export interface UploadedArtifact {
  name: string;
  url: string | null;
}

/**
 * Uploads OUT once and says where it went (the Action's; null when nothing was uploaded).
 * The report stage calls it after writing its files, so the comment can link the artifact.
 */
export type UploadHook = () => Promise<UploadedArtifact | null>;

/** `[Workflow run](…) · [Artifact](…) · commit [`abc1234`](…)`; `short` for the comment's line. */
export function linksLine(links?: RunLinks, short = false): string {
  if (!links) return '';
  const parts: string[] = [];
  if (links.run) parts.push(`[${short ? 'Run' : 'Workflow run'}](${links.run})`);
  if (links.artifact) parts.push(`[Artifact](${links.artifact})`);
  if (links.commit && links.sha)
    parts.push(`commit [\`${escapeHtml(links.sha.slice(0, 7))}\`](${links.commit})`);
  return parts.join(' · ');
}
