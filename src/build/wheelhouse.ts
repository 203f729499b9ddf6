import { Options } from '../config/options.js';

/**
 * The wheelhouse of an offline container build (`container-network = none`): pip on the host
 * downloads, with the index options, the wheels the container's interpreter can install (its
 * own tags, asked inside the container); the container reads them through a read-only mount with
 * `--no-index --find-links` and never reaches a network. Pure parts here, table-tested.
 */

/** Where the wheelhouse root appears inside the build container (mounted read-only). */
export const CONTAINER_WHEELHOUSE = '/albatross-wheelhouse';

/** Prints the interpreter's supported tags, most specific first (pip's vendored packaging). */
export const SYS_TAGS_SCRIPT =
  'from pip._vendor.packaging.tags import sys_tags\nfor t in sys_tags(): print(t)';

/** The index options pip inside an offline container uses: the wheelhouse and nothing else. */
export function wheelhouseIndex(
  findLinks: string
): Pick<Options, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'noIndex'> {
  return { indexUrl: '', extraIndexUrl: [], findLinks: [findLinks], noIndex: true };
}

/**
 * `pip download` arguments that select wheels for another interpreter: the implementation,
 * version, ABIs and platforms of its `sys_tags()` lines (`cp311-cp311-manylinux_2_36_x86_64`).
 * `linux_*` platforms are left out: wheels that say only that are not portable.
 */
export function targetArgs(version: string, tagLines: string[]): string[] {
  const tags = tagLines
    .map((l) => l.trim().split('-'))
    .filter((t) => t.length === 3 && t.every(Boolean));
  const impl = tags.map(([i]) => /^([a-z]+)\d/.exec(i)?.[1]).find((i) => i && i !== 'py');
  if (!impl) throw new Error(`no interpreter tag among: ${tagLines.slice(0, 3).join(', ')}`);
  const uniq = (xs: string[]): string[] => [...new Set(xs)];
  const abis = uniq(tags.map(([, a]) => a));
  const platforms = uniq(tags.map(([, , p]) => p)).filter((p) => p !== 'any' && !/^linux_/.test(p));
  return [
    '--only-binary=:all:',
    '--implementation',
    impl,
    '--python-version',
    version,
    ...abis.flatMap((a) => ['--abi', a]),
    ...platforms.flatMap((p) => ['--platform', p])
  ];
}

/** argv of the host's pip downloading `requirements` (and their dependencies) into `dest`. */
export function downloadArgs(
  python: string,
  dest: string,
  target: string[],
  requirements: string[]
): string[] {
  return [
    python,
    '-m',
    'pip',
    'download',
    '--disable-pip-version-check',
    '--dest',
    dest,
    ...target,
    '--',
    ...requirements
  ];
}

/**
 * Requirements pip could not find while setting up a build (`No matching distribution found
 * for X`): a backend's dynamic requirements (get_requires_for_build_wheel), which the host adds
 * to the wheelhouse before the build is tried again.
 */
export function missingRequirements(output: string): string[] {
  const found = [...output.matchAll(/No matching distribution found for (.+?)\s*$/gm)].map((m) =>
    m[1].trim()
  );
  return [...new Set(found)];
}
