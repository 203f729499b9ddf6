import * as path from 'node:path';
import { ToolEnvOpts } from '../../runtime/toolenv.js';
import { Ccache, findCcache, hostMasquerade, masqueradeArgs } from '../ccache.js';
import { ContainerSession, containerExecutor } from '../container.js';
import { CompilerCachePlace, statsLogIn } from './compiler-cache.js';

/** Where the compiler cache's directory and the host's ccache appear in a build container. */
export const CONTAINER_CCACHE_DIR = '/albatross-ccache';
export const CONTAINER_CCACHE_EXE = '/albatross-ccache-bin/ccache';
const CONTAINER_MASQUERADE = '/tmp/albatross-ccache-masquerade';

/** Host compiles: the ccache found here, its masquerade directory under the work root. */
export function hostCompilerPlace(workRoot: string, opts: ToolEnvOpts): CompilerCachePlace {
  return {
    async ready(dir) {
      const c = await findCcache(opts);
      if ('missing' in c) return c;
      const masquerade = path.join(workRoot, 'ccache-masquerade');
      const PATH = process.env.PATH ?? '';
      await hostMasquerade(masquerade, c.exe, PATH);
      return { exe: c.exe, version: c.version, dir, masquerade, PATH };
    },
    statsLog: (dirs) => statsLogIn(dirs.host)
  };
}

/**
 * Container compiles: the host's ccache mounted at CONTAINER_CCACHE_EXE (the pinned one is
 * static, so it runs in any Linux image of this arch), else the image's own `ccache`; the
 * directory mounted at CONTAINER_CCACHE_DIR; the masquerade made from the image's compilers.
 */
export function containerCompilerPlace(
  s: ContainerSession,
  host: Ccache | { missing: string }
): CompilerCachePlace {
  return {
    async ready() {
      const ex = containerExecutor(s, {}, '022');
      let found: { exe: string; version: string } | null = null;
      // The image's own, by its absolute path (the masquerade links point at it).
      const own = (await ex.run(['/bin/sh', '-c', 'command -v ccache'])).stdout.trim();
      for (const exe of ['exe' in host ? CONTAINER_CCACHE_EXE : '', own].filter(Boolean)) {
        const r = await ex.run([exe, '--version']);
        const version = /ccache version (\S+)/.exec(r.stdout)?.[1];
        if (r.code === 0 && version) {
          found = { exe, version: `ccache ${version}` };
          break;
        }
      }
      if (!found)
        return {
          missing: `no ccache runs in ${s.image} (${'exe' in host ? `the host's ${host.exe} does not run there` : host.missing}, and the image has none)`
        };
      const PATH = (await ex.run(['/bin/sh', '-c', 'printf %s "$PATH"'])).stdout;
      const m = await ex.run(masqueradeArgs(CONTAINER_MASQUERADE, found.exe));
      if (m.code !== 0) return { missing: `the masquerade directory failed: ${m.output.trim()}` };
      return { ...found, dir: CONTAINER_CCACHE_DIR, masquerade: CONTAINER_MASQUERADE, PATH };
    },
    statsLog: (dirs) => statsLogIn(dirs.inner)
  };
}
