import { buildLayer, parentDirs } from '../oci/layer.js';
import { LayerEntry } from '../oci/tar.js';
import { comparePaths } from '../tree.js';
import { arArchive } from './ar.js';
import { ControlRequest, controlText, installedSize, md5sums, prermScript } from './debian.js';
import { VenvTree } from './tree.js';

export interface DebRequest extends Omit<ControlRequest, 'installedSize'> {
  tree: VenvTree;
  prefix: string;
  sde: number;
}

/**
 * The .deb's data: the venv at its prefix, `/usr/bin/<command>` symlinks to its launchers,
 * every parent directory, member names `./...` as dpkg-deb writes them.
 */
export function debDataEntries(tree: VenvTree, prefix: string): LayerEntry[] {
  const byPath = new Map<string, LayerEntry>();
  const add = (e: LayerEntry): void =>
    void byPath.set(`./${e.path}`, { ...e, path: `./${e.path}` });
  byPath.set('.', { path: '.', type: 'dir', mode: 0o755 });
  for (const e of parentDirs(prefix.slice(1))) add(e);
  for (const e of tree.entries) add(e);
  if (tree.commands.length) for (const e of parentDirs('usr/bin')) add(e);
  for (const cmd of tree.commands)
    add({ path: `usr/bin/${cmd}`, type: 'symlink', mode: 0o777, linkname: `${prefix}/bin/${cmd}` });
  return [...byPath.values()].sort((a, b) => comparePaths(a.path, b.path));
}

/**
 * A Debian binary package, byte for byte the same for the same inputs: ar members
 * debian-binary, control.tar.gz, data.tar.gz with mtime SOURCE_DATE_EPOCH and owner 0; tars
 * sorted, owned by 0:0, one mtime, canonical modes, gzip with a fixed header (layer.ts).
 */
export async function debArchive(r: DebRequest): Promise<{ deb: Buffer; control: string }> {
  const data = debDataEntries(r.tree, r.prefix);
  const control = controlText({ ...r, installedSize: installedSize(data) });
  const controlTar = await buildLayer(
    [
      { path: '.', type: 'dir', mode: 0o755 },
      { path: './control', type: 'file', mode: 0o644, data: Buffer.from(control) },
      { path: './md5sums', type: 'file', mode: 0o644, data: Buffer.from(md5sums(data)) },
      { path: './prerm', type: 'file', mode: 0o755, data: Buffer.from(prermScript(r.prefix)) }
    ],
    r.sde
  );
  const dataTar = await buildLayer(data, r.sde);
  const deb = arArchive(
    [
      { name: 'debian-binary', data: Buffer.from('2.0\n') },
      { name: 'control.tar.gz', data: controlTar.data },
      { name: 'data.tar.gz', data: dataTar.data }
    ],
    r.sde
  );
  return { deb, control };
}
