import { startAzurite } from './services/azurite.js';
import { startResultsShim } from './services/results-shim.js';

export interface ActionsServices {
  /** Environment that points @actions/cache and @actions/artifact at the local services. */
  env: Record<string, string>;
  /** `Service/Method` of every results call seen. */
  calls: string[];
  stop(): Promise<void>;
}

/** An unsigned JWT: the toolkit only decodes the payload (for the run/job backend ids). */
export function runtimeToken(run = 'run-1', job = 'job-1'): string {
  const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ scp: `Actions.GenericRead:0 Actions.Results:${run}:${job}`, exp: 4102444800 })}.sig`;
}

/**
 * GitHub's cache and artifact services on loopback: azurite for blobs plus a Twirp shim for
 * the results API. Set `env` in a child process (the toolkit reads it at call time) and leave
 * GITHUB_SERVER_URL unset (otherwise the toolkit assumes GHES and uses the old API).
 */
export async function startActionsServices(): Promise<ActionsServices> {
  const azurite = await startAzurite();
  let shim;
  try {
    shim = await startResultsShim(azurite);
  } catch (e) {
    await azurite.stop();
    throw e;
  }
  const s = shim;
  return {
    env: {
      ACTIONS_CACHE_SERVICE_V2: 'true',
      ACTIONS_RESULTS_URL: s.url,
      ACTIONS_RUNTIME_TOKEN: runtimeToken()
    },
    calls: s.calls,
    stop: async () => {
      await s.stop();
      await azurite.stop();
    }
  };
}
