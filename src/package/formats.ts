/**
 * The application formats `package` makes: the one list config (the `format` option's
 * choices), plan, verify and the docs read. A format's implementation lives in package/index.ts.
 */
export type PackageFormat = 'pex' | 'zipapp' | 'image';
export const PACKAGE_FORMATS: readonly PackageFormat[] = ['zipapp', 'pex', 'image'];
