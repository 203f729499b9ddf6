/**
 * What a child process may inherit. Build backends, setup.py, dependency builds from sdists,
 * tests, pip, pex and every tool run user-controlled code: the runner's credentials and its
 * file commands never reach them (with the runtime token, build code could write cache entries
 * itself; with GITHUB_ENV it could set variables for later steps). `pass-env` names the ones a
 * build really needs. Containers start from nothing but what Albatross passes with `-e`.
 */

/** Exact names withheld: tokens the runner or workflows set, and the runner's file commands. */
const WITHHELD = new Set([
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GH_ENTERPRISE_TOKEN',
  'GITHUB_ENTERPRISE_TOKEN',
  'GITHUB_ENV',
  'GITHUB_OUTPUT',
  'GITHUB_PATH',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY'
]);

/**
 * ACTIONS_* (runtime and results tokens and URLs, the OIDC request pair, cache service),
 * INPUT_* (the action's inputs, github-token among them), and the usual shapes of secrets
 * (NPM_TOKEN, TWINE_PASSWORD, AWS_SECRET_ACCESS_KEY, CODECOV_TOKEN ...). RUNNER_* and the
 * descriptive GITHUB_* context (GITHUB_SHA, GITHUB_REPOSITORY ...) stay.
 */
const WITHHELD_PATTERN =
  /^(ACTIONS_|INPUT_)|(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|ACCESS_KEY|PRIVATE_KEY|SECRET_KEY|CREDENTIALS?)$/i;

/** True when a child process must not see the variable unless `pass-env` names it. */
export function isWithheld(name: string): boolean {
  return WITHHELD.has(name.toUpperCase()) || WITHHELD_PATTERN.test(name);
}

/** A valid `pass-env` entry: a variable name, not a pattern. */
export function envNameProblem(name: string): string | null {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
    ? null
    : `'${name}' is not an environment variable name`;
}

/** `base` without the withheld variables, except those `passEnv` names. */
export function childEnv(
  base: NodeJS.ProcessEnv = process.env,
  passEnv: readonly string[] = []
): NodeJS.ProcessEnv {
  const pass = new Set(passEnv);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base))
    if (v !== undefined && (pass.has(k) || !isWithheld(k))) env[k] = v;
  return env;
}

/** The `pass-env` variables that are set in `base` (what a container gets with `-e`). */
export function passedEnv(
  passEnv: readonly string[],
  base: NodeJS.ProcessEnv = process.env
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of passEnv) if (base[k] !== undefined) env[k] = base[k] as string;
  return env;
}
