import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FailureError } from '../errors.js';
import { tempDir } from '../runtime/fsutil.js';
import { EntryPoint, mainPy } from './entry.js';
import { LocalWheel, pinned } from './inputs.js';
import { Installer } from '../runtime/uv.js';
import { pipTargetInstall } from './pipinstall.js';
import { comparePaths, walkTree } from './tree.js';
import { isPureWheel, wheelMismatch } from './wheelname.js';
import { ZipMember, membersFromTree, writeZip } from './zip.js';

export interface ZipappRequest {
  /** Interpreter whose pip installs the wheels (any Python 3 works for pure wheels). */
  python: string;
  /** Python minor version the wheels were resolved for. */
  pythonVersion: string;
  appWheel: LocalWheel;
  deps: LocalWheel[];
  entry: EntryPoint;
  /** `shebang` option: the interpreter line, without `#!`. */
  shebang: string;
  /** `zipapp-platform`: the one native platform tag allowed, or '' for pure Python only. */
  platform: string;
  sde: number;
  dest: string;
  /** Who installs the wheels (default pip); the archive is the same either way. */
  installer?: Installer;
  cacheDir?: string;
}

/** Refuses wheels a zipapp cannot carry: native ones unless `zipapp-platform` allows them. */
export function checkZipappWheels(
  wheels: LocalWheel[],
  platform: string,
  pythonVersion: string
): void {
  for (const w of wheels) {
    if (!platform) {
      if (!isPureWheel(w)) {
        throw new FailureError(
          `zipapp: ${w.file} is not pure Python (abi ${w.abiTags.join('.')}, platform ${w.platformTags.join('.')}); ` +
            'a zipapp holds pure-Python wheels only unless `zipapp-platform` names the platform it is for'
        );
      }
    } else {
      const why = wheelMismatch(w, { python: pythonVersion, platformTag: platform });
      if (why)
        throw new FailureError(
          `zipapp: ${w.file} does not fit zipapp-platform ${platform}: ${why}`
        );
    }
  }
}

/** Builds `<name>-<version>.pyz`: the wheels installed by pip into the archive, plus `__main__.py`. */
export async function buildZipapp(r: ZipappRequest): Promise<{ members: number }> {
  const wheels = [r.appWheel, ...r.deps];
  checkZipappWheels(wheels, r.platform, r.pythonVersion);
  const tmp = await tempDir('albatross-zipapp-');
  try {
    const tree = path.join(tmp.dir, 'tree');
    const appDir = path.join(tmp.dir, 'app');
    await fs.mkdir(appDir);
    await fs.copyFile(r.appWheel.abs, path.join(appDir, r.appWheel.file));
    const findLinks = [appDir, ...new Set(r.deps.map((d) => path.dirname(d.abs)))];
    await pipTargetInstall(
      {
        python: r.python,
        target: tree,
        findLinks,
        requirements: pinned(wheels),
        installer: r.installer,
        cacheDir: r.cacheDir,
        cross: r.platform ? { pythonVersion: r.pythonVersion, platforms: [r.platform] } : undefined
      },
      `installing ${wheels.length} wheel(s) into the zipapp tree`
    );
    // Console-script launchers carry the build machine's interpreter path: not part of a zipapp.
    const entries = await walkTree(tree, (rel) => rel === 'bin' || rel === '__main__.py');
    const native = entries.find((e) => /\.(so|pyd)$|\.so\./.test(e.path));
    if (native && !r.platform) {
      throw new FailureError(
        `zipapp: ${native.path} is a native extension; set \`zipapp-platform\` to package native code`
      );
    }
    const link = entries.find((e) => e.type === 'symlink');
    if (link)
      throw new FailureError(`zipapp: ${link.path} is a symbolic link, which a zip cannot hold`);
    const members: ZipMember[] = [
      {
        name: '__main__.py',
        type: 'file' as const,
        mode: 0o644,
        data: Buffer.from(mainPy(r.entry))
      },
      ...(await membersFromTree(entries)).map(withoutLaunchers)
    ].sort((a, b) => comparePaths(a.name, b.name));
    const shebang = r.shebang.trim();
    await writeZip(
      r.dest,
      members,
      r.sde,
      shebang ? Buffer.from(`#!${shebang}\n`) : undefined,
      0o755
    );
    return { members: members.length };
  } finally {
    await tmp.cleanup();
  }
}

/**
 * RECORD rows of the left-out launchers (`../../bin/...`) carry hashes of files that name the
 * build machine's interpreter: dropped, so the archive is the same on every machine.
 */
export function withoutLaunchers(m: ZipMember): ZipMember {
  if (!m.name.endsWith('.dist-info/RECORD') || !m.data) return m;
  const rows = m.data.toString('utf8').split('\n');
  const kept = rows.filter((row) => !row.startsWith('../../bin/'));
  return kept.length === rows.length ? m : { ...m, data: Buffer.from(kept.join('\n')) };
}
