import { DEFAULT_TARGET_PYTHONS } from './targets.js';

/** The one typed Options object every stage takes. Keys are the camelCase of OPTION_DEFS. */
export interface Options {
  /** Absolute project directory. */
  projectDir: string;
  out: string;
  json: boolean;
  debug: boolean;
  jobs: number;
  sourceDateEpoch: number | null;
  targetPythons: string[];
  python: string[];
  missingPython: 'skip' | 'error';
  platforms: string[];
  manylinux: string;
  images: Record<string, string>;
  qemu: boolean;
  mode: 'auto' | 'host' | 'container';
  image: string;
  containerEngine: 'auto' | 'docker' | 'podman';
  containerNetwork: 'none' | 'host';
  sdist: boolean;
  test: boolean;
  testCommand: string;
  inspect: boolean;
  failOnInspection: 'error' | 'warning' | 'never';
  twine: string;
  checkWheelContents: string;
  abi3audit: string;
  delocate: string;
  delvewheel: string;
  indexUrl: string;
  extraIndexUrl: string[];
  findLinks: string[];
  noIndex: boolean;
  passEnv: string[];
  locked: boolean;
  installer: 'auto' | 'uv' | 'pip';
  uv: string;
  cache: boolean;
  cacheDir: string;
  cacheAllWheels: boolean;
  compilerCache: boolean;
  format: string[];
  entryPoint: string;
  shebang: string;
  zipappPlatform: string;
  pex: string;
  pexVenv: boolean;
  base: string;
  imageName: string;
  user: string;
  load: boolean;
  push: boolean;
  prefix: string;
  verify: boolean;
  sensitivity: boolean;
  failOnIrreproducible: boolean;
  in: string[];
  summary: boolean;
  comment: boolean;
  githubToken: string;
  baseManifest: string;
  artifactName: string;
  /** Names of the options a layer set (not left at their default). */
  explicit: string[];
  /** Where each option set by configuration came from (`flag --out`, a pyproject key ...), for messages. */
  origins?: Record<string, string>;
}

/*
 * The slices of Options that helpers take (issue 12 item 5): a helper names what it reads, and
 * a caller with the whole Options passes it unchanged.
 */
/** Where packages come from: pip's (and uv's) index settings (runtime/pip.ts spells them). */
export type IndexOptions = Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'>;
/** Where Albatross keeps its cache (runtime/toolenv.ts cacheRoot). */
export type CacheOptions = Pick<Options, 'cacheDir'>;
/** Withheld variables that child processes may see all the same (runtime/childenv.ts). */
export type PassEnvOptions = Pick<Options, 'passEnv'>;
/** What creates environments and installs into them: uv or pip (runtime/uv.ts). */
export type InstallerOptions = Pick<Options, 'installer' | 'uv'>;

export function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Defaults for tests and callers that do not read configuration: a factory with overrides. */
export function defaultOptions(overrides: Partial<Options> = {}): Options {
  return {
    projectDir: process.cwd(),
    out: 'dist',
    json: false,
    debug: false,
    jobs: 0,
    sourceDateEpoch: null,
    targetPythons: [...DEFAULT_TARGET_PYTHONS],
    python: [],
    missingPython: 'skip',
    platforms: ['manylinux-x86_64', 'manylinux-aarch64'],
    manylinux: '2_28',
    images: {},
    qemu: false,
    mode: 'auto',
    image: '',
    containerEngine: 'auto',
    containerNetwork: 'none',
    sdist: true,
    test: true,
    testCommand: '',
    inspect: true,
    failOnInspection: 'error',
    twine: '',
    checkWheelContents: '',
    abi3audit: '',
    delocate: '',
    delvewheel: '',
    indexUrl: '',
    extraIndexUrl: [],
    findLinks: [],
    noIndex: false,
    passEnv: [],
    locked: false,
    installer: 'auto',
    uv: '',
    cache: true,
    cacheDir: '',
    cacheAllWheels: false,
    compilerCache: true,
    format: [],
    entryPoint: '',
    shebang: '/usr/bin/env python3',
    zipappPlatform: '',
    pex: '',
    pexVenv: false,
    base: '',
    imageName: '',
    user: '',
    load: false,
    push: false,
    prefix: '',
    verify: true,
    sensitivity: true,
    failOnIrreproducible: true,
    in: [],
    summary: true,
    comment: true,
    githubToken: '',
    baseManifest: '',
    artifactName: 'albatross',
    explicit: [],
    ...overrides
  };
}
