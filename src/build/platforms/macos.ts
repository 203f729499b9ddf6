import type { HostOs } from './os.js';

/**
 * macOS host builds: wheels repaired by delocate (the pinned `delocate-wheel` copies the
 * non-system dylibs a wheel links into it and rewrites their install names), as cibuildwheel
 * does. No macOS runner is reachable here: this module is tested at the argv level only.
 */
export const MACOS: HostOs = {
  name: 'macos',
  venvBin: 'bin',
  exe: '',
  repair: {
    tool: { name: 'delocate', version: '0.13.0', option: 'delocate' },
    executable: 'delocate-wheel',
    /** `--require-archs` fails a wheel missing an architecture its tag promises (universal2). */
    argv: (exe, a) => [
      exe,
      ...(a.archs.length ? ['--require-archs', a.archs.join(',')] : []),
      '-w',
      a.outDir,
      '-v',
      a.wheel
    ]
  }
};

/** The architectures a macOS wheel's platform tag promises (`macosx_11_0_universal2`). */
export function macosArchs(platformTag: string): string[] {
  const arch = /^macosx_\d+_\d+_(\w+)$/.exec(platformTag)?.[1];
  if (!arch) return [];
  if (arch === 'universal2') return ['arm64', 'x86_64'];
  if (arch === 'intel') return ['x86_64', 'i386'];
  return [arch];
}
