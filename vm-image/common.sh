#!/usr/bin/env bash
# Helpers shared by the image builders: progress lines, tool checks, the recipe hash.
# Sourced by build.sh; not run on its own.

# A progress line per phase, with the seconds since the build started.
phase() {
  printf '[%4ds] %s\n' "$((SECONDS - ${BUILD_STARTED:-0}))" "$*" >&2
}

die() {
  printf 'vm-image: error: %s\n' "$*" >&2
  exit 1
}

# need TOOL PACKAGE: fail with the Debian package to install when TOOL is missing.
need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found: install the Debian package '$2' (apt-get install $2)"
}

# The hash of what decides an image's content: the distro's script, the guest files and the
# options (not build.sh or these helpers, which only drive the build). A cached image whose
# manifest carries the same recipe is reused as it is.
recipe_hash() {
  local dir="$1" script="$2"
  shift 2
  {
    printf '%s\n' "$@"
    (cd "$dir" && sha256sum "$script" guest/*)
  } | sha256sum | cut -c1-16
}

# Remove a build's scratch directory. debootstrap mounts /proc and /sys in the chroot, and an
# interrupted build may leave them mounted: unmount first, and never cross into another file system.
remove_work() {
  local work="$1" mounts
  mounts=$(awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r)
  [ -z "$mounts" ] || printf '%s\n' "$mounts" | xargs -r umount -l
  rm -rf --one-file-system "$work"
}

# sha256 of a file, hex only.
sha256_of() {
  sha256sum "$1" | cut -d' ' -f1
}
