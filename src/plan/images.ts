/**
 * The one defaults table for build containers: the official PyPA images per platform bucket
 * and manylinux policy, pinned by dated tag and (where the digest is known) by digest, so a
 * build does not change when upstream pushes a new image. Override per bucket with `images`,
 * or for one run with `image`. Bump tag and digest together.
 */
export const PINNED_IMAGES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'manylinux-x86_64': {
    '2014':
      'quay.io/pypa/manylinux2014_x86_64:2026.09.30-1@sha256:3462ead9a7152857bb8efd2ddc0014c729be718c531a95c5a949a28b99e5e585',
    '2_28':
      'quay.io/pypa/manylinux_2_28_x86_64:2026.09.30-1@sha256:c2261579b9c2e5d45aa93312f73e2a302182e3e977b558581a1838d6fed3d8e6',
    '2_34': 'quay.io/pypa/manylinux_2_34_x86_64:2026.09.30-1'
  },
  'manylinux-aarch64': {
    '2014': 'quay.io/pypa/manylinux2014_aarch64:2026.09.30-1',
    '2_28':
      'quay.io/pypa/manylinux_2_28_aarch64:2026.09.30-1@sha256:acc4e63610fef1da3d687322793665205415c2b22c0d2e403f1a44eb834d63fc',
    '2_34': 'quay.io/pypa/manylinux_2_34_aarch64:2026.09.30-1'
  },
  'musllinux-x86_64': {
    '1_2':
      'quay.io/pypa/musllinux_1_2_x86_64:2026.09.05-1@sha256:621f8004ed526a5a6bf6a866fb415ad8da54d59a991e50b3b69167c3a768a616'
  },
  'musllinux-aarch64': {
    '1_2':
      'quay.io/pypa/musllinux_1_2_aarch64:2026.09.05-1@sha256:4dffcd49f0b6fc6928a49915f3cd939f973bbecbdfe96e1e7926b6049bc0bad5'
  }
};

/** The musllinux policy of the default images (one policy is current). */
export const MUSLLINUX_POLICY = '1_2';

/** manylinux policies the `manylinux` option accepts. */
export const MANYLINUX_POLICIES = ['2014', '2_28', '2_34'] as const;
