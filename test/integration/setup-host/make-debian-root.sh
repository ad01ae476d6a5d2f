#!/usr/bin/env bash
# Build (once) the Debian 12 root that debian-root.test.ts copies and installs gatehouse into:
# debootstrap --variant=minbase bookworm, its package lists, and the .deb files of every package
# setup-host.sh will install there, downloaded but NOT installed. The test then runs setup-host.sh
# inside a fresh copy with no network at all: apt installs from those files, as on a real host.
#
#   test/integration/setup-host/make-debian-root.sh [CACHE_DIR]   (default /var/cache/gatehouse-test-chroot)
#
# Needs root, debootstrap and the Debian mirror (install time only). The result is CACHE_DIR/base
# with CACHE_DIR/base.recipe; a base whose recipe matches (this script, setup-host's package plan)
# is kept as it is. About 2-3 minutes the first time on 2 cores; under a second when cached.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
CACHE=${1:-/var/cache/gatehouse-test-chroot}
BASE="$CACHE/base"
CONFIG="$HERE/fixtures/gatehouse.config.mjs"

die() {
  printf 'make-debian-root: error: %s\n' "$*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || die "debootstrap not found: apt-get install debootstrap"
[ -f "$REPO/dist/cli/setup-host/describe-config.js" ] || die "build gatehouse first (npm ci)"

recipe() {
  cat "$HERE/make-debian-root.sh" "$REPO/setup-host/os.sh" | sha256sum | cut -c1-16
}

if [ -f "$BASE.recipe" ] && [ "$(cat "$BASE.recipe")" = "$(recipe)" ] && [ -d "$BASE" ]; then
  echo "make-debian-root: $BASE is up to date (recipe $(recipe))"
  exit 0
fi

started=$SECONDS
rm -rf "$BASE" "$BASE.tmp" "$BASE.recipe"
mkdir -p "$CACHE"
echo "make-debian-root: debootstrap --variant=minbase bookworm $BASE.tmp"
debootstrap --variant=minbase bookworm "$BASE.tmp" >"$CACHE/debootstrap.log" 2>&1 || {
  tail -n 30 "$CACHE/debootstrap.log" >&2
  die "debootstrap failed (log: $CACHE/debootstrap.log)"
}
cp /etc/resolv.conf "$BASE.tmp/etc/resolv.conf"
# Services must not start inside a chroot.
printf '#!/bin/sh\nexit 101\n' >"$BASE.tmp/usr/sbin/policy-rc.d"
chmod 0755 "$BASE.tmp/usr/sbin/policy-rc.d"
chroot "$BASE.tmp" apt-get update -q >/dev/null

# What setup-host.sh would install there (it reads the root's dpkg database).
# The fixture has a builder on the host executor (debian-root.test.ts passes the same flag).
mapfile -t packages < <(SETUP_HOST_ROOT="$BASE.tmp" "$REPO/setup-host.sh" --list-packages --allow-host-executor "$CONFIG")
[ ${#packages[@]} -gt 0 ] || die "setup-host.sh --list-packages listed nothing"
echo "make-debian-root: downloading (not installing) ${packages[*]}"
chroot "$BASE.tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --download-only --no-install-recommends "${packages[@]}" >/dev/null
printf '%s\n' "${packages[@]}" >"$BASE.tmp/root/setup-host-packages"
mv "$BASE.tmp" "$BASE"
recipe >"$BASE.recipe"
echo "make-debian-root: $BASE ready in $((SECONDS - started)) s ($(du -sh "$BASE" | cut -f1))"
