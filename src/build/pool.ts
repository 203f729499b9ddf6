import * as os from 'node:os';

/** Default concurrency: the `jobs` option, else one per CPU. */
export function jobCount(jobs: number): number {
  return jobs > 0 ? jobs : Math.max(1, os.cpus().length);
}

/** Runs tasks with at most `limit` in flight; results in task order. Tasks should not throw. */
export async function runBounded<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), tasks.length) }, worker));
  return results;
}
