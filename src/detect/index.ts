import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Options } from '../config/options.js';
import { parseToml } from '../config/toml.js';
import { ConfigError } from '../errors.js';
import { Logger } from '../runtime/log.js';
import { PythonInstall } from '../runtime/python.js';
import { walkProject, lockFilesOf } from './files.js';
import { IniDoc, parseIni } from './ini.js';
import { ProjectModel } from './model.js';
import { detectNative } from './native.js';
import { choosePython, resolveDynamic } from './resolve.js';
import { readBuildSystem, readFlitLegacy, readPep621 } from './pyproject.js';
import { readPoetry } from './poetry.js';
import { allowedPythons, checkSpecifier } from './pythons.js';
import { readSetupCfg } from './setupcfg.js';
import { readSetupPy } from './setuppy.js';
import { StaticMetadata, mergeEntryPoints, sortEntryPoints } from './static.js';
import { checkProjectMetadata } from './validate.js';
import { usesVcsVersion } from './vcs.js';

/** The fields of PEP 621 `dynamic` that detect reports from the backend. */
const REPORTED = [
  'name',
  'version',
  'requires-python',
  'dependencies',
  'scripts',
  'gui-scripts',
  'entry-points'
];

/** Reads the project at `opts.projectDir` into a ProjectModel (contract: `detect --json`). */
export async function detectProject(opts: Options, log: Logger): Promise<ProjectModel> {
  const root = path.resolve(opts.projectDir);
  await checkDirectory(root);
  const files = await walkProject(root);
  const pyprojectFile = path.join(root, 'pyproject.toml');
  const read = (f: string): Promise<string | null> =>
    files.includes(f) ? fs.readFile(path.join(root, f), 'utf8') : Promise.resolve(null);
  const [pyprojectText, setupPy, setupCfgText] = await Promise.all([
    read('pyproject.toml'),
    read('setup.py'),
    read('setup.cfg')
  ]);
  const pyproject = pyprojectText !== null ? parseToml(pyprojectText, pyprojectFile) : null;
  const setupCfg = setupCfgText !== null ? parseIni(setupCfgText) : null;
  if (!pyproject && setupPy === null && !setupCfg?.metadata) {
    throw new ConfigError(
      `${root}: no Python project found (expected pyproject.toml, setup.py or setup.cfg)`
    );
  }

  const bs = readBuildSystem(pyproject, pyprojectFile);
  const meta = staticMetadata(pyproject, pyprojectFile, setupPy, setupCfg);
  if (!meta) {
    throw new ConfigError(
      `${pyprojectFile}: no project metadata ([project], [tool.poetry], setup.cfg [metadata] or setup.py)`
    );
  }
  const legacy =
    bs.backend.startsWith('setuptools.build_meta') && setupPy !== null && meta.style !== 'pep621';
  const dynamic = legacy ? [...REPORTED] : meta.dynamic.filter((d) => REPORTED.includes(d));
  if (!legacy && meta.version === undefined && !dynamic.includes('version'))
    dynamic.push('version');

  const native = await detectNative({
    root,
    backend: bs.backend,
    pyproject,
    setupPy,
    setupCfg,
    files
  });
  const sources = [
    ...new Set([...meta.sources, ...(setupCfg && meta.style === 'setuptools' ? ['setup.cfg'] : [])])
  ];
  const model: ProjectModel = {
    root,
    name: meta.name ?? '',
    version: meta.version ?? null,
    backend: bs.backend,
    buildRequires: bs.requires,
    backendPath: bs.backendPath,
    requiresPython: meta.requiresPython ?? null,
    pythonVersions: [],
    native: native.reasons.length > 0,
    nativeReasons: native.reasons,
    abi3: native.abi3,
    ...(native.abi3Minimum ? { abi3Minimum: native.abi3Minimum } : {}),
    entryPoints: meta.entryPoints,
    dependencies: meta.dependencies ?? [],
    lockFiles: lockFilesOf(files),
    dynamic: dynamic.sort(),
    sources: sources.sort(),
    style: meta.style
  };

  if (dynamic.length) {
    const python = (): Promise<PythonInstall | undefined> =>
      choosePython(model.requiresPython, opts.targetPythons);
    const inPlace = usesVcsVersion([pyprojectText ?? '', setupPy ?? '', setupCfgText ?? '']);
    await resolveDynamic(model, { root, files, python, inPlace, opts, log });
  }
  if (model.requiresPython) {
    checkSpecifier(model.requiresPython, `${path.join(root, sources[0])}: requires-python`);
  }
  model.pythonVersions = allowedPythons(opts.targetPythons, model.requiresPython);
  model.entryPoints = sortEntryPoints(model.entryPoints);
  if (!model.name) {
    throw new ConfigError(
      `${path.join(root, sources[0])}: the project name is not declared and could not be resolved`
    );
  }
  checkProjectMetadata(model, path.join(root, sources[0]));
  return model;
}

async function checkDirectory(root: string): Promise<void> {
  let st;
  try {
    st = await fs.stat(root);
  } catch {
    throw new ConfigError(`project directory ${root} does not exist`);
  }
  if (!st.isDirectory()) throw new ConfigError(`project directory ${root} is not a directory`);
}

/**
 * The declared metadata, by precedence: PEP 621 [project], Poetry's [tool.poetry], Flit's old
 * [tool.flit.metadata], then setuptools' setup.cfg over setup.py literals.
 */
function staticMetadata(
  pyproject: Record<string, unknown> | null,
  file: string,
  setupPy: string | null,
  setupCfg: IniDoc | null
): StaticMetadata | null {
  if (pyproject) {
    const pep621 = readPep621(pyproject, file);
    const poetry = readPoetry(pyproject, file);
    if (pep621) {
      // Poetry 2 reads [project] first and fills what it leaves dynamic from [tool.poetry].
      if (poetry) mergeEntryPoints(pep621.entryPoints, poetry.entryPoints);
      return pep621;
    }
    if (poetry) return poetry;
    const flit = readFlitLegacy(pyproject);
    if (flit) return flit;
  }
  const cfg = setupCfg ? readSetupCfg(setupCfg) : null;
  const py = setupPy !== null ? readSetupPy(setupPy) : null;
  if (!cfg && !py) return null;
  if (!cfg) return py;
  if (!py) return cfg;
  // setup.py keyword arguments override setup.cfg, as in setuptools.
  const eps = { ...py.entryPoints };
  mergeEntryPoints(eps, cfg.entryPoints);
  return {
    style: 'setuptools',
    name: py.name ?? cfg.name,
    version: py.version ?? cfg.version,
    requiresPython: py.requiresPython ?? cfg.requiresPython,
    dependencies: py.dependencies?.length ? py.dependencies : cfg.dependencies,
    entryPoints: eps,
    dynamic: cfg.dynamic,
    sources: ['setup.cfg', 'setup.py']
  };
}
