/**
 * Plugins that derive the version from the VCS checkout (tags, commit distance). Their
 * metadata hook must run in the project itself, not on a copy without `.git`.
 */
const VCS_PLUGINS =
  /setuptools[-_]scm|hatch[-_]vcs|versioningit|dunamai|poetry[-_]dynamic[-_]versioning|setuptools[-_]git[-_]versioning|vcs[-_]versioning|source\s*=\s*["'](vcs|scm)["']|use_scm_version/i;

/** Whether any of the project's declaration files names a VCS versioning plugin. */
export function usesVcsVersion(texts: string[]): boolean {
  return texts.some((t) => VCS_PLUGINS.test(t));
}
