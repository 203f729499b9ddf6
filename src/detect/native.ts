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

/** What one kind of build configuration shows: native-code reasons and a stable-ABI claim. */
interface Finding {
  reasons: string[];
  abi3: boolean;
  /** Lowest CPython tags (`cp39`) the stable ABI is said to target. */
  abi: string[];
}

const finding = (reasons: string[] = [], abi3 = false, abi: string[] = []): Finding => ({
  reasons,
  abi3,
  abi
});

/** What shows native code and whether it targets the stable ABI (abi3). */
export async function detectNative(inp: NativeInputs): Promise<NativeInfo> {
  const tool = table(inp.pyproject?.tool) ?? {};
  const findings = [
    fromSetupFiles(inp),
    fromSetuptoolsTables(tool),
    await fromRust(inp, tool),
    fromScikitBuild(inp, tool),
    fromMeson(inp, tool),
    fromBuildHooks(tool),
    fromCython(inp.files)
  ];
  const reasons = findings.flatMap((f) => f.reasons);
  const abi3 = findings.some((f) => f.abi3);
  const min = findings.flatMap((f) => f.abi).sort()[0];
  return {
    reasons: [...new Set(reasons)],
    abi3: abi3 && reasons.length > 0,
    ...(abi3 && reasons.length && min ? { abi3Minimum: `${min[2]}.${min.slice(3)}` } : {})
  };
}

/** setup.py's extension markers and py_limited_api; setup.cfg's [bdist_wheel] py_limited_api. */
function fromSetupFiles(inp: NativeInputs): Finding {
  const f = finding();
  if (inp.setupPy !== null) {
    f.reasons.push(...setupPyNativeMarkers(inp.setupPy));
    if (setupPyLimitedApi(inp.setupPy)) f.abi3 = true;
    const m = /['"]py_limited_api['"]\s*:\s*['"](cp3\d+)['"]/.exec(inp.setupPy);
    if (m) f.abi.push(m[1]);
  }
  const v = inp.setupCfg ? setupCfgLimitedApi(inp.setupCfg) : null;
  if (v) {
    f.abi3 = true;
    f.abi.push(v);
  }
  return f;
}

/** pyproject's [tool.setuptools] ext-modules and [tool.distutils.bdist_wheel] py-limited-api. */
function fromSetuptoolsTables(tool: Record<string, unknown>): Finding {
  const f = finding();
  const setuptools = table(tool.setuptools);
  if (setuptools && Array.isArray(setuptools['ext-modules'])) {
    f.reasons.push('pyproject.toml: [tool.setuptools] ext-modules');
    if (setuptools['ext-modules'].some((e) => table(e)?.['py-limited-api'] === true)) f.abi3 = true;
  }
  const distutilsWheel = table(table(tool.distutils)?.bdist_wheel);
  const dv = str(distutilsWheel?.['py-limited-api'] ?? distutilsWheel?.py_limited_api);
  if (dv && /^cp3\d+$/.test(dv)) {
    f.abi3 = true;
    f.abi.push(dv);
  }
  return f;
}

/** Rust through maturin or setuptools-rust; pyo3's abi3 features in maturin's or Cargo's config. */
async function fromRust(inp: NativeInputs, tool: Record<string, unknown>): Promise<Finding> {
  const f = finding();
  const maturin = inp.backend === 'maturin' || tool.maturin !== undefined;
  if (maturin) {
    f.reasons.push(
      tool.maturin !== undefined
        ? 'pyproject.toml: [tool.maturin]'
        : 'pyproject.toml: maturin backend'
    );
    for (const feature of strList(table(tool.maturin)?.features)) {
      const m = /abi3(?:-py(\d)(\d+))?$/.exec(feature);
      if (m) {
        f.abi3 = true;
        if (m[1]) f.abi.push(`cp${m[1]}${m[2]}`);
      }
    }
  }
  const cargoFile = str(table(tool.maturin)?.['manifest-path']) ?? 'Cargo.toml';
  const rustBuilt =
    maturin ||
    tool['setuptools-rust'] !== undefined ||
    (inp.setupPy ?? '').includes('RustExtension');
  if (inp.files.includes(cargoFile.replace(/^\.\//, '')) && rustBuilt) {
    f.reasons.push(`${cargoFile} (${maturin ? 'maturin' : 'setuptools-rust'})`);
    const cargo = await cargoAbi3(path.join(inp.root, cargoFile));
    if (cargo.abi3) {
      f.abi3 = true;
      if (cargo.min) f.abi.push(cargo.min);
    }
  }
  if (tool['setuptools-rust'] !== undefined)
    f.reasons.push('pyproject.toml: [tool.setuptools-rust]');
  return f;
}

/** scikit-build-core, with its wheel.py-api. */
function fromScikitBuild(inp: NativeInputs, tool: Record<string, unknown>): Finding {
  if (!inp.backend.startsWith('scikit_build_core')) return finding();
  const f = finding([
    inp.files.includes('CMakeLists.txt')
      ? 'CMakeLists.txt (scikit-build-core)'
      : 'pyproject.toml: scikit-build-core backend'
  ]);
  const sk = table(tool['scikit-build']);
  const pyApi = str(table(sk?.wheel)?.['py-api']) ?? str(sk?.['wheel.py-api']);
  if (pyApi && /^cp3\d+$/.test(pyApi)) {
    f.abi3 = true;
    f.abi.push(pyApi);
  }
  return f;
}

/** meson-python, with its limited-api switch. */
function fromMeson(inp: NativeInputs, tool: Record<string, unknown>): Finding {
  if (inp.backend !== 'mesonpy') return finding();
  return finding(
    [
      inp.files.includes('meson.build')
        ? 'meson.build (meson-python)'
        : 'pyproject.toml: meson-python backend'
    ],
    table(tool['meson-python'])?.['limited-api'] === true
  );
}

/** Poetry's build script and hatch build hooks that compile (Cython, mypyc, CMake, cffi, Rust). */
function fromBuildHooks(tool: Record<string, unknown>): Finding {
  const f = finding();
  const poetryBuild = table(table(tool.poetry)?.build);
  if (poetryBuild && (poetryBuild.script || poetryBuild['generate-setup-file'] !== undefined)) {
    f.reasons.push('pyproject.toml: [tool.poetry.build] script');
  }
  const hatchBuild = table(table(tool.hatch)?.build);
  const hatchHooks = {
    ...table(hatchBuild?.hooks),
    ...table(table(table(hatchBuild?.targets)?.wheel)?.hooks)
  };
  for (const hook of Object.keys(hatchHooks).sort()) {
    if (/cython|mypyc|scikit-build|cmake|cffi|rust/i.test(hook))
      f.reasons.push(`pyproject.toml: hatch build hook '${hook}'`);
  }
  return f;
}

/** Cython sources anywhere in the project. */
function fromCython(files: string[]): Finding {
  const pyx = files.filter((f) => f.endsWith('.pyx'));
  return finding(
    pyx.length ? [`${pyx[0]} (Cython${pyx.length > 1 ? `, ${pyx.length} .pyx files` : ''})`] : []
  );
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
