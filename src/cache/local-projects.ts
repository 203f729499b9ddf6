import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { normalizeName, parseWheelName } from '../runtime/wheelname.js';

/**
 * Normalised names of requirements given as local paths (the project's own wheel or source
 * tree): pip copies or builds them every run, and they are never worth caching.
 */
export async function localProjects(requirements: string[]): Promise<Set<string>> {
  const names = new Set<string>();
  for (const r of requirements) {
    const st = await fs.stat(r).catch(() => undefined);
    if (!st) continue;
    const wheel = st.isFile() ? parseWheelName(r) : null;
    if (wheel) names.add(wheel.name);
    else if (st.isDirectory()) {
      const text = await fs.readFile(path.join(r, 'pyproject.toml'), 'utf8').catch(() => '');
      try {
        const name = (parse(text) as { project?: { name?: unknown } }).project?.name;
        if (typeof name === 'string') names.add(normalizeName(name));
      } catch {
        /* no readable pyproject: its wheel is then treated as a dependency */
      }
    }
  }
  return names;
}
