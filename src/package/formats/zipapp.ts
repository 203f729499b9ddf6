import * as path from 'node:path';
import { minimumPython } from '../../detect/pythons.js';
import { archivePython, depsFor, entryPoint, fileEntry, stem } from '../context.js';
import { pickWheel } from '../inputs.js';
import { buildZipapp } from '../zipapp.js';
import { minPythonCell, PackageFormat } from './types.js';

/** A stdlib zipapp (PEP 441): the app and its pure dependencies in one `.pyz`. */
export const zipappFormat: PackageFormat = {
  name: 'zipapp',
  kind: 'zipapp',
  summary: 'a `.pyz` zipapp holding the app and its dependencies (pure, or for `zipapp-platform`)',
  options: ['shebang', 'zipappPlatform'],
  // Any interpreter from requires-python's lower bound runs it, not only the one it was built with.
  python: minPythonCell,
  byDefault: () => true,
  async run(c) {
    const entry = entryPoint(c);
    const py = await archivePython(c);
    const platform = c.opts.zipappPlatform;
    const app = pickWheel(
      c.wheels,
      { python: py.version, platformTag: platform || undefined },
      'zipapp',
      c.outDir
    );
    const deps = await depsFor(c, py, app, platform || 'any');
    const file = `${stem(c, app)}.pyz`;
    await buildZipapp({
      installer: c.installer,
      cacheDir: c.opts.cacheDir,
      python: py.executable,
      pythonVersion: py.version,
      appWheel: app,
      deps,
      entry,
      shebang: c.opts.shebang,
      platform,
      sde: c.sde,
      dest: path.join(c.outDir, file)
    });
    c.log.info(`zipapp: ${file} (${deps.length} dependencies)`);
    return fileEntry(c, file, 'zipapp', {
      python: py.version,
      details: {
        // Native dependencies (`zipapp-platform`) tie it to the Python they were resolved for.
        minPython: platform ? null : minimumPython(c.model.requiresPython),
        entryPoint: `${entry.module}:${entry.attr}`,
        script: entry.script,
        wheel: app.file,
        dependencies: deps.map((d) => d.file),
        platform: platform || 'any'
      }
    });
  }
};
