import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseToml } from '../config/toml.js';
import { exists } from '../runtime/fsutil.js';
import { IniDoc } from './ini.js';
import { setupCfgLimitedApi } from './setupcfg.js';
import { setupPyLimitedApi, setupPyNativeMarkers } from './setuppy.js';
import { str, strList, table } from './static.js';

export interface NativeInfo {
  reasons: string[];
  abi3: boolean;
  /** The lowest CPython the abi3 wheel targets, e.g. "3.9", when stated. */
  abi3Minimum?: string;
}

export interface NativeInputs {
  root: string;
  backend: string;
  pyproject: Record<string, unknown> | null;
  setupPy: string | null;
  setupCfg: IniDoc | null;
  /** Relative paths of the project's files (see walkProject). */
  files: string[];
}

/** What shows native code and whether it targets the stable ABI (abi3). */
export async function detectNative(inp: NativeInputs): Promise<NativeInfo> {
  const reasons: string[] = [];
  const abi: string[] = [];
  let abi3 = false;
  const tool = table(inp.pyproject?.tool) ?? {};
  const has = (f: string): boolean => inp.files.includes(f);

  if (inp.setupPy !== null) {
    reasons.push(...setupPyNativeMarkers(inp.setupPy));
    if (setupPyLimitedApi(inp.setupPy)) abi3 = true;
    const m = /['"]py_limited_api['"]\s*:\s*['"](cp3\d+)['"]/.exec(inp.setupPy);
    if (m) abi.push(m[1]);
  }
  if (inp.setupCfg) {
    const v = setupCfgLimitedApi(inp.setupCfg);
    if (v) {
      abi3 = true;
      abi.push(v);
    }
  }
  const setuptools = table(tool.setuptools);
  if (setuptools && Array.isArray(setuptools['ext-modules'])) {
    reasons.push('pyproject.toml: [tool.setuptools] ext-modules');
    if (setuptools['ext-modules'].some((e) => table(e)?.['py-limited-api'] === true)) abi3 = true;
  }
  const distutilsWheel = table(table(tool.distutils)?.bdist_wheel);
  const dv = str(distutilsWheel?.['py-limited-api'] ?? distutilsWheel?.py_limited_api);
  if (dv && /^cp3\d+$/.test(dv)) {
    abi3 = true;
    abi.push(dv);
  }

  const backend = inp.backend;
  if (backend === 'maturin' || tool.maturin !== undefined) {
    reasons.push(
      tool.maturin !== undefined
        ? 'pyproject.toml: [tool.maturin]'
        : 'pyproject.toml: maturin backend'
    );
    for (const f of strList(table(tool.maturin)?.features)) {
      const m = /abi3(?:-py(\d)(\d+))?$/.exec(f);
      if (m) {
        abi3 = true;
        if (m[1]) abi.push(`cp${m[1]}${m[2]}`);
      }
    }
  }
  const cargoFile = str(table(tool.maturin)?.['manifest-path']) ?? 'Cargo.toml';
  if (
    has(cargoFile.replace(/^\.\//, '')) &&
    (backend === 'maturin' ||
      tool.maturin !== undefined ||
      tool['setuptools-rust'] !== undefined ||
      (inp.setupPy ?? '').includes('RustExtension'))
  ) {
    reasons.push(
      `${cargoFile} (${backend === 'maturin' || tool.maturin !== undefined ? 'maturin' : 'setuptools-rust'})`
    );
    const cargo = await cargoAbi3(path.join(inp.root, cargoFile));
    if (cargo.abi3) {
      abi3 = true;
      if (cargo.min) abi.push(cargo.min);
    }
  }
  if (tool['setuptools-rust'] !== undefined) reasons.push('pyproject.toml: [tool.setuptools-rust]');

  if (backend.startsWith('scikit_build_core')) {
    reasons.push(
      has('CMakeLists.txt')
        ? 'CMakeLists.txt (scikit-build-core)'
        : 'pyproject.toml: scikit-build-core backend'
    );
    const sk = table(tool['scikit-build']);
    const pyApi = str(table(sk?.wheel)?.['py-api']) ?? str(sk?.['wheel.py-api']);
    if (pyApi && /^cp3\d+$/.test(pyApi)) {
      abi3 = true;
      abi.push(pyApi);
    }
  }
  if (backend === 'mesonpy') {
    reasons.push(
      has('meson.build') ? 'meson.build (meson-python)' : 'pyproject.toml: meson-python backend'
    );
    if (table(tool['meson-python'])?.['limited-api'] === true) abi3 = true;
  }
  const poetryBuild = table(table(tool.poetry)?.build);
  if (poetryBuild && (poetryBuild.script || poetryBuild['generate-setup-file'] !== undefined)) {
    reasons.push('pyproject.toml: [tool.poetry.build] script');
  }
  const hatchHooks = {
    ...table(table(table(tool.hatch)?.build)?.hooks),
    ...table(table(table(table(table(tool.hatch)?.build)?.targets)?.wheel)?.hooks)
  };
  for (const hook of Object.keys(hatchHooks).sort()) {
    if (/cython|mypyc|scikit-build|cmake|cffi|rust/i.test(hook))
      reasons.push(`pyproject.toml: hatch build hook '${hook}'`);
  }
  const pyx = inp.files.filter((f) => f.endsWith('.pyx'));
  if (pyx.length)
    reasons.push(`${pyx[0]} (Cython${pyx.length > 1 ? `, ${pyx.length} .pyx files` : ''})`);

  const min = abi.sort()[0];
  return {
    reasons: [...new Set(reasons)],
    abi3: abi3 && reasons.length > 0,
    ...(abi3 && reasons.length && min ? { abi3Minimum: `${min[2]}.${min.slice(3)}` } : {})
  };
}

/** pyo3's `abi3` / `abi3-py39` features in Cargo.toml. */
async function cargoAbi3(file: string): Promise<{ abi3: boolean; min?: string }> {
  if (!(await exists(file))) return { abi3: false };
  const doc = parseToml(await fs.readFile(file, 'utf8'), file);
  const deps = table(doc.dependencies) ?? {};
  const pyo3 = table(deps.pyo3);
  const features = [
    ...strList(pyo3?.features),
    ...Object.values(table(doc.features) ?? {}).flatMap(strList)
  ];
  let abi3 = false;
  let min: string | undefined;
  for (const f of features) {
    const m = /(?:^|\/)abi3(?:-py(\d)(\d+))?$/.exec(f);
    if (m) {
      abi3 = true;
      if (m[1]) min = `cp${m[1]}${m[2]}`;
    }
  }
  return { abi3, min };
}
