import { execCapture } from '../runtime/exec.js';

async function git(dir: string, args: string[]): Promise<string | null> {
  try {
    const r = await execCapture(['git', '-C', dir, ...args], { timeoutMs: 10000 });
    return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : null;
  } catch {
    return null;
  }
}

/** A remote URL without credentials (https://user:token@host/... → https://host/...). */
export function publicUrl(url: string): string {
  return url.replace(/^(\w+:\/\/)[^@/]+@/, '$1');
}

/**
 * OCI labels: source (the Actions repository, else git's origin), revision (GITHUB_SHA, else
 * git HEAD), version and title. Absent facts are left out rather than guessed.
 */
export async function ociLabels(
  projectDir: string,
  name: string,
  version: string | null,
  env: NodeJS.ProcessEnv = process.env
): Promise<Record<string, string>> {
  const labels: Record<string, string> = { 'org.opencontainers.image.title': name };
  if (version) labels['org.opencontainers.image.version'] = version;
  const source =
    env.GITHUB_REPOSITORY && env.GITHUB_SERVER_URL
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`
      : await git(projectDir, ['remote', 'get-url', 'origin']);
  if (source) labels['org.opencontainers.image.source'] = publicUrl(source);
  const revision = env.GITHUB_SHA || (await git(projectDir, ['rev-parse', 'HEAD']));
  if (revision) labels['org.opencontainers.image.revision'] = revision;
  return labels;
}
