import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseEntryPointsTxt } from '../../detect/metadata.js';
import { FailureError } from '../../errors.js';
import { tempDir } from '../../runtime/fsutil.js';
import { readZipMember } from '../../runtime/zipread.js';
import { Installer } from '../../runtime/uv.js';
import { LocalWheel, pinned } from '../inputs.js';
import { checkTargetWheels } from '../oci/image.js';
import { LayerEntry } from '../oci/tar.js';
import { layerEntries, venvDirs, venvSkeleton } from '../oci/venvtree.js';
import { pipTargetInstall } from '../pipinstall.js';
import { walkTree } from '../tree.js';
import { isPureWheel } from '../wheelname.js';
import { VenvTarget } from './target.js';

export interface VenvTreeRequest {
  target: VenvTarget;
  /** Absolute install prefix (checked by prefixProblem). */
  prefix: string;
  app: LocalWheel;
  deps: LocalWheel[];
  installer?: Installer;
  cacheDir?: string;
  /** The format asking, for messages. */
  what: string;
}

export interface VenvTree {
  /** Paths relative to `/`: the prefix directory and everything under it. */
  entries: LayerEntry[];
  /** The project's console scripts (launchers in `<prefix>/bin`), sorted. */
  commands: string[];
  /** Every wheel is pure Python: the tree runs on any machine the interpreter runs on. */
  pure: boolean;
}

/** The console_scripts the project's own wheel declares (its entry_points.txt). */
export async function wheelConsoleScripts(app: LocalWheel): Promise<string[]> {
  const text = await readZipMember(app.abs, (n) => /^[^/]+\.dist-info\/entry_points\.txt$/.test(n));
  const eps = text ? parseEntryPointsTxt(text.toString('utf8')) : {};
  return Object.keys(eps.console_scripts ?? {}).sort();
}

/**
 * The venv as it will be on the target, at its prefix: wheels installed by the host's pip (for
 * the target's tags when it is a base), laid out under `<prefix>/lib/pythonX.Y/site-packages`,
 * launchers with `#!<prefix>/bin/python`, `pyvenv.cfg` and `bin/python` naming the target
 * interpreter. Nothing in it names the directory pip installed into: no relocation, no rewrite
 * of paths besides the launchers' `#!` line, which pip writes as `#!python` (installtree.ts).
 */
export async function venvTree(r: VenvTreeRequest): Promise<VenvTree> {
  const { py } = r.target;
  checkTargetWheels([r.app, ...r.deps], py, r.what, r.target.where);
  const root = r.prefix.slice(1);
  const tmp = await tempDir('albatross-venv-');
  try {
    // A directory holding only the project's wheel: pip sees no other candidate for it.
    const links = path.join(tmp.dir, 'app-wheel');
    await fs.mkdir(links, { recursive: true });
    await fs.copyFile(r.app.abs, path.join(links, r.app.file));
    const tree = path.join(tmp.dir, 'tree');
    await pipTargetInstall(
      {
        python: r.target.host.executable,
        target: tree,
        findLinks: [links, ...new Set(r.deps.map((d) => path.dirname(d.abs)))],
        requirements: pinned([r.app, ...r.deps]),
        cross: r.target.cross,
        installer: r.installer,
        cacheDir: r.cacheDir
      },
      `installing ${r.app.file} and ${r.deps.length} dependency wheel(s) into the venv`
    );
    const laid = await layerEntries(await walkTree(tree), py.version, root);
    const byPath = new Map<string, LayerEntry>();
    for (const e of [
      ...venvDirs(py.version, root),
      ...venvSkeleton(py.executable, py.version, root),
      ...laid.entries
    ])
      byPath.set(e.path, e);
    // Contents are read now: the install tree goes away with the temp directory.
    const entries: LayerEntry[] = [];
    for (const e of byPath.values()) {
      if (e.path !== root && !e.path.startsWith(root + '/')) continue;
      if (e.source) entries.push({ ...e, data: await fs.readFile(e.source), source: undefined });
      else entries.push(e);
    }
    const commands = await wheelConsoleScripts(r.app);
    const missing = commands.filter((s) => !laid.scripts.includes(s));
    if (missing.length)
      throw new FailureError(
        `${r.what}: console script(s) ${missing.join(', ')} of ${r.app.file} were not installed (launchers: ${laid.scripts.join(', ') || 'none'})`
      );
    return { entries, commands, pure: [r.app, ...r.deps].every(isPureWheel) };
  } finally {
    await tmp.cleanup();
  }
}
