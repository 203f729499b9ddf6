import type { HostOs } from './os.js';

/**
 * Windows host builds: wheels repaired by delvewheel (it copies the DLLs a wheel loads into
 * `<pkg>.libs` and patches the imports), as cibuildwheel does; venvs keep their interpreter in
 * `Scripts\python.exe`. No Windows runner is reachable here: tested at the argv level only.
 */
export const WINDOWS: HostOs = {
  name: 'windows',
  venvBin: 'Scripts',
  exe: '.exe',
  repair: {
    tool: { name: 'delvewheel', version: '1.13.2', option: 'delvewheel' },
    executable: 'delvewheel',
    argv: (exe, a) => [exe, 'repair', '-w', a.outDir, a.wheel]
  }
};
