/** One job of the build matrix (one GitHub Actions job / one local build bucket). */
export interface PlanJob {
  /** Stable id, e.g. `sdist-any`, `manylinux-x86_64`. */
  id: string;
  'runs-on': string;
  /** `any` for pure wheels, else a wheel platform tag such as `manylinux_2_28_x86_64`. */
  platform: string;
  /** Python minor versions this job builds. */
  python: string[];
  /** Platform bucket name from the `platforms` option (`any` for pure projects). */
  bucket: string;
  /** Whether this job also builds the sdist (exactly one job does). */
  sdist: boolean;
  mode: 'host' | 'container';
  /** Container image for container mode. */
  image?: string;
  /** Architecture of the wheels (x86_64, aarch64, arm64, amd64, any). */
  arch: string;
  /** True when the job needs QEMU emulation. */
  qemu: boolean;
}

export interface BuildPlan {
  project: { name: string; version: string | null; native: boolean; abi3: boolean };
  matrix: { include: PlanJob[] };
  /** Whether the project is an application (has console scripts): drives packaging. */
  application: boolean;
  /** Formats to package (from options, or the defaults for applications). */
  formats: string[];
}
