import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Manifest } from '../../src/manifest/model.js';
import { Reproducibility } from '../../src/verify/model.js';

/**
 * Realistic outputs of a three-job matrix (hand-written: the report stage is what is under
 * test): a pure sdist+wheel job with a cache hit, a native job with one failed Python whose
 * log holds markup, and a verify job with one irreproducible artifact.
 */
export function pureJob(version = '1.2.0', wheelSize = 5321): Manifest {
  return {
    schema: 1,
    tool: { name: 'albatross', version: '0.1.0' },
    project: { name: 'greeter', version },
    job: 'sdist-any',
    sourceDateEpoch: 1700000000,
    artifacts: [
      { file: `greeter-${version}.tar.gz`, kind: 'sdist', sha256: 'a'.repeat(64), size: 4100 },
      {
        file: `greeter-${version}-py3-none-any.whl`,
        kind: 'wheel',
        sha256: 'b'.repeat(64),
        size: wheelSize,
        pythonTag: 'py3',
        abiTag: 'none',
        platformTag: 'any',
        python: '3.12',
        test: { status: 'passed', command: 'import greeter', seconds: 1.2 }
      }
    ],
    failures: [],
    cache: {
      key: 'albatross-v1-linux-x64-any-py3-abc',
      backend: 'github',
      hit: 'exact',
      bytesRestored: 120000,
      bytesSaved: 0,
      saved: false,
      saveSkipped: 'exact hit',
      wheelsBuilt: 0,
      wheelsReused: 3,
      secondsSaved: 4,
      warnings: []
    },
    phases: [
      { name: 'sdist', seconds: 2.5 },
      { name: 'wheels', seconds: 3.25 },
      { name: 'test', seconds: 1.5 }
    ]
  };
}

export function nativeJob(): Manifest {
  return {
    schema: 1,
    tool: { name: 'albatross', version: '0.1.0' },
    project: { name: 'greeter', version: '1.2.0' },
    job: 'manylinux-x86_64',
    artifacts: [
      {
        file: 'greeter-1.2.0-cp312-cp312-manylinux_2_28_x86_64.whl',
        kind: 'wheel',
        sha256: 'c'.repeat(64),
        size: 81234,
        pythonTag: 'cp312',
        abiTag: 'cp312',
        platformTag: 'manylinux_2_28_x86_64',
        python: '3.12',
        repaired: true,
        test: { status: 'passed', command: 'import greeter' }
      }
    ],
    failures: [
      {
        target: 'wheel cp313 manylinux_2_28_x86_64',
        kind: 'wheel',
        python: '3.13',
        message: 'build failed: error: command gcc failed | exit 1',
        logTail:
          'src/x.c:1:10: fatal error: <Python.h> not found\n<script>alert(1)</script>\nerror: command `gcc` failed'
      }
    ],
    phases: [{ name: 'wheels', seconds: 61 }]
  };
}

export function verifyReport(): Reproducibility {
  return {
    reproducible: false,
    project: { name: 'greeter', version: '1.2.0' },
    job: 'any',
    seconds: 42,
    sourceDateEpoch: 1700000000,
    sensitivityPass: true,
    variations: [
      { name: 'TZ', pass: 'verdict', applied: true, first: 'UTC', second: 'Asia/Tokyo' }
    ],
    artifacts: [
      {
        file: 'greeter-1.2.0.tar.gz',
        kind: 'sdist',
        reproducible: true,
        sha256: ['a'.repeat(64), 'a'.repeat(64)],
        differences: [],
        sensitivities: []
      },
      {
        file: 'greeter-1.2.0-py3-none-any.whl',
        kind: 'wheel',
        reproducible: false,
        sha256: ['b'.repeat(64), 'd'.repeat(64)],
        differences: [
          {
            member: 'greeter/_build_info.py',
            kind: 'content',
            cause: 'timestamp',
            // As verify writes it: a unified diff, then the classifier's note.
            detail:
              '--- first\n+++ second\n@@ -1,2 +1,2 @@\n NAME = "greeter"\n-BUILT = "2026-11-25 <b>01:00</b>"\n+BUILT = "2026-11-25 <b>02:00</b>"\n(cause: a date near the build clock)'
          }
        ],
        sensitivities: [
          { member: 'greeter/__init__.py', kind: 'mtime', cause: 'timestamp', detail: 'a vs b' }
        ]
      }
    ]
  };
}

/**
 * A pure job whose wheel test failed for one Python, as the build records it: the failed
 * wheel is not listed, its failure carries the test's result; the other wheel passed.
 */
export function testFailureJob(): Manifest {
  const m = pureJob();
  m.job = 'any';
  m.artifacts[1].test = { status: 'passed', command: 'pytest -q', seconds: 2 };
  m.failures = [
    {
      target: 'wheel py3',
      kind: 'wheel',
      python: '3.11',
      message: 'test failed: pytest -q',
      logTail: 'E   AssertionError: assert 1 == 2\n1 failed in 0.02s',
      test: {
        status: 'failed',
        command: 'pytest -q',
        detail: 'E   AssertionError: assert 1 == 2\n1 failed in 0.02s',
        seconds: 1.5
      }
    }
  ];
  m.phases = [
    { name: 'build', seconds: 20 },
    { name: 'package', seconds: 4 }
  ];
  return m;
}

/** Writes the three jobs as the report job would download them: one directory per artifact. */
export async function writeMatrix(root: string): Promise<string> {
  const dirs: [string, string, unknown][] = [
    ['albatross-build-sdist-any', 'albatross-manifest.json', pureJob()],
    ['albatross-build-manylinux-x86_64', 'albatross-manifest.json', nativeJob()],
    ['albatross-verify', 'reproducibility.json', verifyReport()]
  ];
  for (const [dir, name, value] of dirs) {
    await fs.mkdir(path.join(root, dir), { recursive: true });
    await fs.writeFile(path.join(root, dir, name), JSON.stringify(value, null, 2));
  }
  return root;
}
