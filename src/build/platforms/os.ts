import * as path from 'node:path';
import { PinnedTool } from '../../runtime/toolenv.js';
import { MACOS } from './macos.js';
import { WINDOWS } from './windows.js';

/** What a host build needs to know about the operating system it runs on. */
export interface HostOs {
  name: 'linux' | 'macos' | 'windows';
  /** Where a venv keeps its interpreter and scripts (`bin`, `Scripts`). */
  venvBin: string;
  /** Executable suffix (`.exe` on Windows). */
  exe: string;
  /** The tool that repairs its platform wheels; none on a Linux host (see the container platform). */
  repair?: {
    tool: PinnedTool;
    /** The command the tool's distribution installs. */
    executable: string;
    argv: (exe: string, a: { wheel: string; outDir: string; archs: string[] }) => string[];
  };
}

export const LINUX: HostOs = { name: 'linux', venvBin: 'bin', exe: '' };

/** The host OS of `platform` (Node's `process.platform`); an error naming it when unknown. */
export function hostOs(platform: NodeJS.Platform = process.platform): HostOs {
  switch (platform) {
    case 'linux':
      return LINUX;
    case 'darwin':
      return MACOS;
    case 'win32':
      return WINDOWS;
    default:
      throw new Error(`host builds are not supported on ${platform} (linux, darwin, win32)`);
  }
}

/** A venv's interpreter on `os`. */
export function venvPython(os: HostOs, venv: string): string {
  return path.join(venv, os.venvBin, `python${os.exe}`);
}
