import { ProjectModel } from '../../src/detect/model.js';

/** A ProjectModel literal for tests and benchmarks: a plain setuptools project, with overrides. */
export function projectModel(
  over: Partial<ProjectModel> & Pick<ProjectModel, 'root' | 'name'>
): ProjectModel {
  return {
    version: '1.0.0',
    backend: 'setuptools.build_meta',
    buildRequires: ['setuptools>=61'],
    backendPath: [],
    requiresPython: '>=3.9',
    pythonVersions: ['3.11'],
    native: false,
    nativeReasons: [],
    abi3: false,
    entryPoints: {},
    dependencies: [],
    lockFiles: [],
    dynamic: [],
    sources: ['pyproject.toml'],
    style: 'pep621',
    ...over
  };
}
