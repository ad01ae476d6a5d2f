# shellcheck shell=bash disable=SC2034 # globals set here are read by the other parts of setup-host.sh
# Which OS this is (from os-release), and what its packages are called. Sourced by setup-host.sh.
#
# Sets OS_NAME (for messages), OS_FAMILY (el | fedora | debian), OS_MAJOR, PKG (dnf | apt).

SUPPORTED_OS="CentOS Stream 9/10, RHEL/Rocky/AlmaLinux 9, Fedora 39+, Debian 12, Ubuntu 24.04"

detect_os() {
  local file="${SETUP_HOST_OS_RELEASE:-$(rp /etc/os-release)}" fields
  [ -r "$file" ] || die "cannot read $file: unsupported OS (supported: $SUPPORTED_OS); nothing was changed"
  # Read in a subshell: os-release is shell syntax, and its names must not leak into ours.
  fields=$(
    # shellcheck disable=SC1090
    . "$file"
    printf '%s|%s|%s' "${ID:-}" "${VERSION_ID:-}" "${PRETTY_NAME:-${NAME:-unknown}}"
  )
  local id="${fields%%|*}" rest="${fields#*|}"
  local version="${rest%%|*}" pretty="${rest#*|}"
  OS_MAJOR="${version%%.*}"
  OS_NAME="$pretty"
  case "$id:$OS_MAJOR" in
    centos:9 | centos:10) OS_FAMILY=el PKG=dnf ;;
    rhel:9 | rocky:9 | almalinux:9) OS_FAMILY=el PKG=dnf ;;
    fedora:*)
      if ! [[ "$OS_MAJOR" =~ ^[0-9]+$ ]] || [ "$OS_MAJOR" -lt 39 ]; then
        die "unsupported OS: $pretty (Fedora 39 or later is needed); nothing was changed"
      fi
      OS_FAMILY=fedora PKG=dnf
      ;;
    debian:12) OS_FAMILY=debian PKG=apt ;;
    ubuntu:24) [ "$version" = 24.04 ] || die "unsupported OS: $pretty (supported: $SUPPORTED_OS); nothing was changed"
      OS_FAMILY=debian PKG=apt ;;
    *) die "unsupported OS: $pretty (ID=$id VERSION_ID=$version; supported: $SUPPORTED_OS); nothing was changed" ;;
  esac
}

# The qemu system emulator package for a guest ARCH: the KVM build when it is this host's own arch.
qemu_package() {
  local guest="$1"
  case "$OS_FAMILY:$guest" in
    el:"$HOST_ARCH" | fedora:"$HOST_ARCH") echo qemu-kvm ;;
    el:*) echo "" ;; # EL ships no emulator for other architectures
    fedora:ppc64le) echo qemu-system-ppc ;;
    fedora:x86_64) echo qemu-system-x86 ;;
    fedora:aarch64) echo qemu-system-aarch64 ;;
    fedora:s390x) echo qemu-system-s390x ;;
    debian:ppc64le) echo qemu-system-ppc ;;
    debian:x86_64) echo qemu-system-x86 ;;
    debian:aarch64) echo qemu-system-arm ;;
    debian:s390x) echo qemu-system-misc ;;
  esac
}

# plan_packages: WANTED_PACKAGES for this OS, the host and the config's guest architectures.
# Node.js is handled apart (plan_node), since not every distribution has a recent enough one.
plan_packages() {
  WANTED_PACKAGES=(git ca-certificates)
  local guests=("$HOST_ARCH") arch pkg
  # The config's images name their architectures; with none, the ppc64le emulator is the default
  # (the CI this was written for tests ppc64le on whatever host it has).
  if [ ${#IMAGE_ARCHES[@]} -gt 0 ]; then guests+=("${IMAGE_ARCHES[@]}"); else guests+=(ppc64le); fi
  case "$OS_FAMILY" in
    el | fedora) WANTED_PACKAGES+=(libvirt-daemon-kvm libvirt-client qemu-img guestfs-tools) ;;
    debian) WANTED_PACKAGES+=(libvirt-daemon-system libvirt-clients qemu-utils debootstrap e2fsprogs) ;;
  esac
  NO_EMULATOR=()
  for arch in $(printf '%s\n' "${guests[@]}" | sort -u); do
    pkg=$(qemu_package "$arch")
    if [ -n "$pkg" ]; then
      WANTED_PACKAGES+=("$pkg")
    else
      NO_EMULATOR+=("$arch")
    fi
    # Building a Debian image of another architecture runs its binaries through qemu-user.
    if [ "$OS_FAMILY" = debian ] && [ "$arch" != "$HOST_ARCH" ] && [ ${#IMAGE_ARCHES[@]} -gt 0 ]; then
      WANTED_PACKAGES+=(qemu-user-static binfmt-support)
    fi
  done
  mapfile -t WANTED_PACKAGES < <(printf '%s\n' "${WANTED_PACKAGES[@]}" | awk '!seen[$0]++')
}

# package_installed NAME: true when NAME is installed in the target root.
package_installed() {
  case "$PKG" in
    apt)
      command -v dpkg-query >/dev/null 2>&1 || return 1
      dpkg-query --admindir="$(rp /var/lib/dpkg)" -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
      ;;
    dnf)
      command -v rpm >/dev/null 2>&1 || return 1
      rpm --root "${ROOT:-/}" -q --whatprovides "$1" >/dev/null 2>&1
      ;;
  esac
}

# MISSING_PACKAGES: the wanted ones not installed yet.
find_missing_packages() {
  MISSING_PACKAGES=()
  local p
  for p in "${WANTED_PACKAGES[@]}"; do
    package_installed "$p" || MISSING_PACKAGES+=("$p")
  done
}

# apt_lists_fresh: package lists exist and are less than a day old.
apt_lists_fresh() {
  [ -n "$(find "$(rp /var/lib/apt/lists)" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)" ]
}

install_packages() {
  [ $# -gt 0 ] || return 0
  case "$PKG" in
    apt)
      if [ "$OFFLINE" = 1 ]; then
        note "--offline: installing from the package lists and archives already on this host"
      elif [ "$DRY_RUN" = 1 ] || ! apt_lists_fresh; then
        act "refresh package lists" env DEBIAN_FRONTEND=noninteractive apt-get update -q
      fi
      act "install packages: $*" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
      ;;
    dnf)
      local opts=()
      [ "$OFFLINE" = 0 ] || opts+=(--cacheonly)
      act "install packages: $*" dnf -y "${opts[@]}" install "$@"
      ;;
  esac
}
