import * as path from 'node:path';
import { ConfigError, FailureError } from '../../errors.js';
import { writeFileAtomic } from '../../runtime/fsutil.js';
import { readZipMember } from '../../runtime/zipread.js';
import { fileEntry } from '../context.js';
import { parseBase } from '../oci/source.js';
import { AssembledVenv, assembleVenv, venvDetails } from '../venv/assemble.js';
import { debArchive } from '../venv/deb.js';
import { debArchitecture, debMetadata, debPackageName, debVersion } from '../venv/debian.js';
import { PackageContext } from '../context.js';
import { PackageFormat } from './types.js';

/** A Debian package of the venv (dh-virtualenv style): the prefix tree plus /usr/bin links. */
export const debFormat: PackageFormat = {
  name: 'deb',
  kind: 'deb',
  summary:
    'a Debian package of that venv: the `prefix` tree, its console scripts linked in `/usr/bin`, Depends on the Debian package of its Python',
  options: ['prefix', 'base'],
  byDefault: () => false,
  check(opts, project) {
    if (opts.base) parseBase(opts.base, opts.projectDir);
    if (project && !project.hasConsoleScripts)
      throw new ConfigError(
        'format: deb puts the console scripts in /usr/bin, and the project declares none; package a library as `venv`'
      );
  },
  outputs: {
    deb: {
      description:
        '`package --format deb`: the Debian package (file name in the output directory).',
      value: (e) => e?.file ?? ''
    }
  },
  // It runs where its interpreter does: pure trees anywhere, native ones on the target's platform.
  platform: (e) => (typeof e.details?.platform === 'string' ? e.details.platform : undefined),
  async run(c) {
    const v = await assembleVenv(c, 'deb');
    if (!v.tree.commands.length)
      throw new FailureError(
        `${v.app.file} declares no console script for /usr/bin; package a library as \`venv\``
      );
    const fields = await debFields(c, v);
    const { deb } = await debArchive({
      ...fields,
      tree: v.tree,
      prefix: v.prefix,
      sde: c.sde,
      description: [
        `The Python application ${c.model.name} ${fields.pep440} in a virtual environment at ${v.prefix} (CPython ${v.target.py.version}, ${v.target.py.executable}) with ${v.deps.length} dependency wheel(s). Commands: ${v.tree.commands.join(', ')}.`,
        `Built by Albatross from ${v.app.file}.`
      ]
    });
    // Debian's file name: package_version_arch.deb, the epoch left out.
    const file = `${fields.package}_${fields.version.replace(/^\d+:/, '')}_${fields.architecture}.deb`;
    await writeFileAtomic(path.join(c.outDir, file), deb);
    c.log.info(
      `deb: ${file}: ${fields.package} ${fields.version} (${fields.architecture}), Depends: ${fields.depends.join(', ') || 'nothing'}`
    );
    return fileEntry(c, file, 'deb', {
      python: v.target.py.version,
      details: {
        ...venvDetails(v),
        package: fields.package,
        version: fields.version,
        architecture: fields.architecture,
        depends: fields.depends,
        maintainer: fields.maintainer
      }
    });
  }
};

/** Control fields from the project, its wheel's metadata and the target interpreter. */
async function debFields(c: PackageContext, v: AssembledVenv) {
  const pkg = debPackageName(c.model.name);
  if (!pkg)
    throw new FailureError(
      `'${c.model.name}' normalises to no Debian package name (two or more of a-z 0-9 + . -)`
    );
  const pep440 = c.model.version ?? v.app.version;
  const version = debVersion(pep440);
  if (!version) throw new FailureError(`version '${pep440}' is not PEP 440; no Debian version`);
  const architecture = v.tree.pure ? 'all' : debArchitecture(v.target.py.arch);
  if (!architecture) throw new FailureError(`no Debian architecture for linux/${v.target.py.arch}`);
  const metadata = await readZipMember(v.app.abs, (n) => /^[^/]+\.dist-info\/METADATA$/.test(n));
  const meta = debMetadata(metadata?.toString('utf8') ?? '');
  if (!meta.maintainer)
    throw new FailureError(
      `${v.app.file}: its metadata names no maintainer or author with an email address, which the Maintainer field needs (set [project] maintainers or authors with an email)`
    );
  const { py } = v.target;
  if (!py.debPackage)
    c.log.info(
      `deb: ${py.executable} (${v.target.where}) is not from a Debian package: the package declares no Depends on it`
    );
  return {
    package: pkg,
    version,
    architecture,
    maintainer: meta.maintainer,
    depends: py.debPackage ? [py.debPackage] : [],
    homepage: meta.homepage,
    pep440,
    synopsis: meta.summary ?? `${c.model.name} ${pep440}`
  };
}
