import * as path from 'node:path';
import { minimumPython } from '../../detect/pythons.js';
import { archivePython, depsFor, entryPoint, fileEntry, stem } from '../context.js';
import { pickWheel } from '../inputs.js';
import { GOARCH_TO_WHEEL } from '../oci/json.js';
import { ensurePex, pexArgv, pexPlatforms, runPex } from '../pex.js';
import { minPythonCell, PackageFormat } from './types.js';

/** A PEX file made by the real pex from the local wheelhouse only. */
export const pexFormat: PackageFormat = {
  name: 'pex',
  kind: 'pex',
  summary: 'a `.pex` made by the pinned pex from local wheels only',
  options: ['shebang', 'pex', 'pexVenv'],
  // Any interpreter from requires-python's lower bound runs it, not only the one it was built with.
  python: minPythonCell,
  byDefault: () => false,
  async run(c) {
    const entry = entryPoint(c);
    const py = await archivePython(c);
    const app = pickWheel(c.wheels, { python: py.version, arch: archOfHost() }, 'pex', c.outDir);
    // The tool first: when pex is missing, nothing else is worth doing.
    const pexCmd = await ensurePex(c.opts, py);
    const deps = await depsFor(
      c,
      py,
      app,
      app.platformTags.includes('any') ? 'any' : app.platformTags.join('.')
    );
    const file = `${stem(c, app)}.pex`;
    const argv = pexArgv(pexCmd, {
      wheels: [app.abs, ...deps.map((d) => d.abs)],
      requirement: `${app.name}==${app.version}`,
      entry,
      requiresPython: c.model.requiresPython,
      python: py.executable,
      platforms: pexPlatforms(app.platformTags, app.abiTags, py.version),
      shebang: c.opts.shebang,
      venv: c.opts.pexVenv,
      output: path.join(c.outDir, file)
    });
    await runPex(argv, c.opts);
    return fileEntry(c, file, 'pex', {
      python: py.version,
      details: {
        // pex enforces requires-python as its interpreter constraint; a native app pins its ABI.
        minPython: app.platformTags.includes('any') ? minimumPython(c.model.requiresPython) : null,
        entryPoint: `${entry.module}:${entry.attr}`,
        wheel: app.file,
        dependencies: deps.map((d) => d.file)
      }
    });
  }
};

function archOfHost(): string {
  return (
    GOARCH_TO_WHEEL[{ x64: 'amd64', arm64: 'arm64' }[process.arch as string] ?? process.arch] ??
    process.arch
  );
}
