#!/usr/bin/env bash
# Build a base VM image for gatehouse's VM executor.
#
#   vm-image/build.sh --distro debian --arch x86_64|ppc64le --out DIR [--with docker] [--seed SEED]
#   vm-image/build.sh --distro centos-stream --arch ppc64le --out DIR      (production; needs internet)
#
# Output in DIR: disk.qcow2, kernel, initrd.img and manifest.json. The image is built in DIR.tmp and
# moved into place at the end, so DIR is either complete or absent. With --reuse, a DIR whose
# manifest carries the same recipe (these scripts, the guest files, the options) is kept as it is;
# with --seed, an image SEED of the same recipe is copied (reflink where the file system can) and
# restamped (name, builtAt) instead of built. --dry-run checks nothing, builds nothing: it prints the plan.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=vm-image/common.sh
. "$HERE/common.sh"
# shellcheck source=vm-image/debian.sh
. "$HERE/debian.sh"
# shellcheck source=vm-image/centos-stream.sh
. "$HERE/centos-stream.sh"

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  cat >&2 <<'USAGE'
options:
  --distro debian|centos-stream   (default debian)
  --arch x86_64|ppc64le           (default: this machine's)
  --out DIR                       where the image goes (required)
  --with docker                   add docker.io, apparmor and a busybox rootfs tarball for `docker import`
  --packages LIST                 more Debian packages, comma-separated (e.g. git,make)
  --suite NAME                    Debian suite (default bookworm)
  --mirror URL                    Debian mirror (default http://deb.debian.org/debian)
  --disk-size SIZE                file system size (default 6G; sparse)
  --reuse                         keep DIR when its manifest matches this recipe
  --seed SEED                     copy the image in SEED when its manifest matches this recipe
  --dry-run                       print the plan and exit
USAGE
  exit "${1:-2}"
}

DISTRO=debian ARCH=$(uname -m) OUT="" WITH_DOCKER=0 SUITE=bookworm MIRROR=http://deb.debian.org/debian
EXTRA_PACKAGES="" DISK_SIZE=6G REUSE=0 SEED="" DRY_RUN=0 CENTOS_RELEASE=9 CENTOS_MIRROR=https://cloud.centos.org/centos
while [ $# -gt 0 ]; do
  case "$1" in
    --distro) DISTRO=${2:?}; shift 2 ;;
    --arch) ARCH=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    --with) [ "${2:-}" = docker ] || die "--with: only 'docker' is known"; WITH_DOCKER=1; shift 2 ;;
    --suite) SUITE=${2:?}; shift 2 ;;
    --packages) EXTRA_PACKAGES=${2:?}; shift 2 ;;
    --mirror) MIRROR=${2:?}; shift 2 ;;
    --disk-size) DISK_SIZE=${2:?}; shift 2 ;;
    --reuse) REUSE=1; shift ;;
    --seed) SEED=${2:?}; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h | --help) usage 0 ;;
    *) printf 'vm-image: unknown option %s\n' "$1" >&2; usage ;;
  esac
done
[ -n "$OUT" ] || { printf 'vm-image: --out DIR is required\n' >&2; usage; }
OUT=$(realpath -m "$OUT")
WORK="$OUT.work"
case "$DISTRO" in
  debian) ROOT_CMDLINE="root=/dev/vda rw rootflags=noatime,errors=remount-ro" ;; # fstab's options, mounted so by the initramfs
  centos-stream) ROOT_CMDLINE="" ;;
  *) die "unknown --distro $DISTRO (debian or centos-stream)" ;;
esac

RECIPE=$(recipe_hash "$HERE" "$DISTRO.sh" "$DISTRO" "$ARCH" "$WITH_DOCKER" "$SUITE" "$MIRROR" "$DISK_SIZE" "$EXTRA_PACKAGES")
if [ "$DISTRO" = debian ]; then debian_plan; else centos_plan; fi
printf '  output: %s (recipe %s)\n' "$OUT" "$RECIPE" >&2
[ "$DRY_RUN" = 1 ] && exit 0

if [ "$REUSE" = 1 ] && [ -f "$OUT/manifest.json" ] && grep -q "\"recipe\": \"$RECIPE\"" "$OUT/manifest.json"; then
  printf 'vm-image: %s matches recipe %s: reused\n' "$OUT" "$RECIPE" >&2
  exit 0
fi

if [ -n "$SEED" ] && [ -f "$SEED/manifest.json" ] && grep -q "\"recipe\": \"$RECIPE\"" "$SEED/manifest.json"; then
  # Same recipe: the same content but for the build date. Copy, then restamp the name's date and builtAt.
  rm -rf "$OUT.tmp"
  mkdir -p "$OUT.tmp"
  cp --reflink=auto "$SEED/disk.qcow2" "$SEED/kernel" "$SEED/initrd.img" "$OUT.tmp/"
  sed -e "s/^\(  \"name\": \"[^\"]*-\)[0-9]\{8\}\(\(-docker\)\{0,1\}\",\)$/\1$(date -u +%Y%m%d)\2/" \
    -e "s/^  \"builtAt\": \"[^\"]*\"/  \"builtAt\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"/" \
    -e "s/^  \"buildSeconds\": [0-9]*/  \"buildSeconds\": 0/" \
    "$SEED/manifest.json" >"$OUT.tmp/manifest.json"
  chmod 0755 "$OUT.tmp"
  rm -rf "$OUT"
  mv "$OUT.tmp" "$OUT"
  printf 'vm-image: %s matches recipe %s: copied from the seed into %s\n' "$SEED" "$RECIPE" "$OUT" >&2
  exit 0
fi
[ -z "$SEED" ] || printf 'vm-image: seed %s does not match recipe %s: building\n' "$SEED" "$RECIPE" >&2

if [ "$DISTRO" = debian ]; then debian_check_tools; else centos_check_tools; fi
BUILD_STARTED=$SECONDS
FINAL=$OUT
OUT="$FINAL.tmp"
rm -rf "$OUT"
remove_work "$WORK"
mkdir -p "$OUT" "$WORK"
trap 'remove_work "$WORK"' EXIT

if [ "$DISTRO" = debian ]; then debian_build; else centos_build; fi

phase "manifest"
NAME="$DISTRO-$SUITE-$ARCH-$(date -u +%Y%m%d)"
[ "$DISTRO" = centos-stream ] && NAME="centos-stream-$CENTOS_RELEASE-$ARCH-$(date -u +%Y%m%d)"
[ "$WITH_DOCKER" = 1 ] && NAME="$NAME-docker"
write_manifest() {
  # JSON without jq or python: every value here is plain ASCII without quotes or backslashes.
  local packages_json="" line
  while IFS= read -r line; do
    packages_json="$packages_json${packages_json:+, }\"$line\""
  done <"$WORK/packages.txt"
  local keys_json="" key
  while IFS= read -r key; do
    [ -n "$key" ] && keys_json="$keys_json${keys_json:+, }\"${key% *}\""
  done <<<"$HOST_KEYS"
  cat <<JSON
{
  "name": "$NAME",
  "distro": "$DISTRO",
  "arch": "$ARCH",
  "kernelVersion": "$KERNEL_VERSION",
  "cmdline": "$ROOT_CMDLINE",
  "withDocker": $([ "$WITH_DOCKER" = 1 ] && echo true || echo false),
  "recipe": "$RECIPE",
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "buildSeconds": $((SECONDS - BUILD_STARTED)),
  "files": {
    "disk": { "path": "disk.qcow2", "bytes": $(stat -c %s "$OUT/disk.qcow2"), "virtualSize": "$DISK_SIZE", "sha256": "$(sha256_of "$OUT/disk.qcow2")" },
    "kernel": { "path": "kernel", "bytes": $(stat -c %s "$OUT/kernel"), "sha256": "$(sha256_of "$OUT/kernel")" },
    "initrd": { "path": "initrd.img", "bytes": $(stat -c %s "$OUT/initrd.img"), "sha256": "$(sha256_of "$OUT/initrd.img")" }
  },
  "sshHostKeys": [$keys_json],
  "packages": [$packages_json]
}
JSON
}
write_manifest >"$OUT/manifest.json"
chmod 0755 "$OUT"
rm -rf "$FINAL"
mv "$OUT" "$FINAL"
phase "done: $FINAL ($NAME)"
