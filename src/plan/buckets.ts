import { ConfigError } from '../errors.js';
import { MANYLINUX_POLICIES, MUSLLINUX_POLICY } from './images.js';

/** A platform bucket: where its jobs run and which wheels they produce. */
export interface Bucket {
  name: string;
  os: 'linux' | 'macos' | 'windows';
  /** Wheel architecture as it appears in the platform tag. */
  arch: string;
  /** Native runner label. */
  runsOn: string;
  /** For foreign architectures: the x86_64 runner used under QEMU when `qemu` is set. */
  qemuRunsOn?: string;
  /** The policy key into the images table (linux only). */
  policy?: string;
  /** Wheel platform tag. */
  platform: string;
}

export const BUCKET_NAMES = [
  'manylinux-x86_64',
  'manylinux-aarch64',
  'musllinux-x86_64',
  'musllinux-aarch64',
  'macos-arm64',
  'macos-x86_64',
  'windows-amd64'
] as const;

/** Runner labels: native runners for every architecture (QEMU only when asked). */
export const RUNNERS = {
  linuxX64: 'ubuntu-24.04',
  linuxArm: 'ubuntu-24.04-arm',
  macosArm: 'macos-14',
  macosX64: 'macos-13',
  windows: 'windows-2022'
} as const;

/** The bucket by name, for the given manylinux policy; ConfigError for unknown names. */
export function bucketOf(name: string, manylinux: string): Bucket {
  if (!(MANYLINUX_POLICIES as readonly string[]).includes(manylinux)) {
    throw new ConfigError(
      `${optionName('manylinux')}: unknown policy '${manylinux}' (expected one of ${MANYLINUX_POLICIES.join(', ')})`
    );
  }
  // PEP 600: manylinux2014 wheels carry the manylinux_2_17 tag.
  const many = manylinux === '2014' ? '2_17' : manylinux;
  const linux = (family: 'manylinux' | 'musllinux', arch: 'x86_64' | 'aarch64'): Bucket => {
    const policy = family === 'manylinux' ? manylinux : MUSLLINUX_POLICY;
    const tagPolicy = family === 'manylinux' ? many : MUSLLINUX_POLICY;
    return {
      name,
      os: 'linux',
      arch,
      runsOn: arch === 'x86_64' ? RUNNERS.linuxX64 : RUNNERS.linuxArm,
      ...(arch === 'aarch64' ? { qemuRunsOn: RUNNERS.linuxX64 } : {}),
      policy,
      platform: `${family}_${tagPolicy}_${arch}`
    };
  };
  switch (name) {
    case 'manylinux-x86_64':
      return linux('manylinux', 'x86_64');
    case 'manylinux-aarch64':
      return linux('manylinux', 'aarch64');
    case 'musllinux-x86_64':
      return linux('musllinux', 'x86_64');
    case 'musllinux-aarch64':
      return linux('musllinux', 'aarch64');
    case 'macos-arm64':
      return {
        name,
        os: 'macos',
        arch: 'arm64',
        runsOn: RUNNERS.macosArm,
        platform: 'macosx_11_0_arm64'
      };
    case 'macos-x86_64':
      return {
        name,
        os: 'macos',
        arch: 'x86_64',
        runsOn: RUNNERS.macosX64,
        platform: 'macosx_10_13_x86_64'
      };
    case 'windows-amd64':
      return { name, os: 'windows', arch: 'amd64', runsOn: RUNNERS.windows, platform: 'win_amd64' };
    default:
      throw new ConfigError(
        `${optionName('platforms')}: unknown platform bucket '${name}' (expected ${BUCKET_NAMES.join(', ')})`
      );
  }
}

/** How messages name an option: it may come from a flag, an input or [tool.albatross]. */
export function optionName(name: string): string {
  return `option '${name}' (--${name})`;
}
