import { describe, expect, it } from '@jest/globals';
import { defaultOptions } from '../../src/config/options.js';
import { parseLock } from '../../src/lock/pylock.js';
import { dependenciesOnly, uvCompileArgv } from '../../src/package/install-resolve.js';

const H = (c: string): string => c.repeat(64);
/** What `uv pip compile` of an application's wheel writes: the wheel itself, then its closure. */
const lockText = (appPath: string): string => `lock-version = "1.0"
created-by = "uv"
requires-python = ">=3.11"

[[packages]]
name = "albatross-package-app"
version = "1.2.0"
archive = { path = "${appPath}", hashes = { sha256 = "${H('a')}" } }

[[packages]]
name = "six"
version = "1.17.0"
wheels = [{ url = "file:///opt/pypi/files/six-1.17.0-py2.py3-none-any.whl", hashes = { sha256 = "${H('b')}" } }]
`;

describe('dependency resolution with uv', () => {
  it('compiles the wheel for the resolving interpreter from the configured indexes', () => {
    const opts = defaultOptions({
      indexUrl: 'https://idx.example/simple',
      findLinks: ['/w'],
      noIndex: false
    });
    expect(
      uvCompileArgv('uv', '/t/requirements.in', '/t/pylock.toml', '/py/bin/python', opts)
    ).toEqual([
      'uv',
      'pip',
      'compile',
      '/t/requirements.in',
      '--format',
      'pylock.toml',
      '--python',
      '/py/bin/python',
      '--no-header',
      '--quiet',
      '--output-file',
      '/t/pylock.toml',
      '--index-url',
      'https://idx.example/simple',
      '--find-links',
      '/w'
    ]);
  });

  it('keeps the dependencies only, named by what they are (not by where the wheel lay)', () => {
    const a = dependenciesOnly(
      parseLock(lockText('/tmp/x/app.whl'), '/tmp/x/pylock.toml'),
      'albatross-package-app'
    );
    const b = dependenciesOnly(
      parseLock(lockText('/tmp/y/app.whl'), '/tmp/y/pylock.toml'),
      'albatross-package-app'
    );
    expect(a.packages.map((p) => `${p.name}==${p.version}`)).toEqual(['six==1.17.0']);
    expect(a.packages[0].wheels[0].sha256).toBe(H('b'));
    // The same resolution from another temporary path is the same fetch (one cache entry).
    expect(a.sha256).toBe(b.sha256);
    const other = dependenciesOnly(
      parseLock(lockText('/tmp/x/app.whl').replace('1.17.0', '1.16.0'), '/tmp/x/pylock.toml'),
      'albatross-package-app'
    );
    expect(other.sha256).not.toBe(a.sha256);
  });
});
