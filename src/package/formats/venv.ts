import * as path from 'node:path';
import { writeFileAtomic } from '../../runtime/fsutil.js';
import { fileEntry, stem } from '../context.js';
import { buildLayer } from '../oci/layer.js';
import { parseBase } from '../oci/source.js';
import { assembleVenv, venvDetails } from '../venv/assemble.js';
import { PackageFormat } from './types.js';

/** A virtual environment built at its install prefix, as a tarball to unpack at `/`. */
export const venvFormat: PackageFormat = {
  name: 'venv',
  kind: 'venv',
  summary:
    'a virtual environment built at its install prefix (`prefix`) for the Python of `base` (or the host), as a `.tar.gz` to unpack at `/`',
  options: ['prefix', 'base'],
  byDefault: () => false,
  check: (opts) => void (opts.base && parseBase(opts.base, opts.projectDir)),
  outputs: {
    venv: {
      description: '`package --format venv`: the venv tarball (file name in the output directory).',
      value: (e) => e?.file ?? ''
    }
  },
  // It runs where its interpreter does: pure trees anywhere, native ones on the target's platform.
  platform: (e) => (typeof e.details?.platform === 'string' ? e.details.platform : undefined),
  async run(c) {
    const v = await assembleVenv(c, 'venv');
    if (!v.tree.commands.length)
      c.log.info(
        `venv: ${c.model.name} declares no console script: the venv holds the library and ${v.prefix}/bin/python, no command`
      );
    const file = `${stem(c, v.app)}.venv.tar.gz`;
    // Sorted, 0:0, SOURCE_DATE_EPOCH, canonical modes, fixed gzip header: an image layer's rules.
    const tarball = await buildLayer(v.tree.entries, c.sde);
    await writeFileAtomic(path.join(c.outDir, file), tarball.data);
    c.log.info(
      `venv: ${file}: ${v.prefix} with ${v.deps.length} dependency wheel(s)${v.tree.commands.length ? `, commands ${v.tree.commands.join(', ')}` : ''}`
    );
    return fileEntry(c, file, 'venv', { python: v.target.py.version, details: venvDetails(v) });
  }
};
