#!/usr/bin/env bash
# build-package.sh DISTRO (e.g. debian-bookworm): build docker-ce's packages for one distribution
# and copy them to packages/DISTRO/, which the step collects as artifacts.
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=examples/docker-ce-ppc64le/env-list.sh
. "$here/env-list.sh"
env_list_load env/env.list

distro=${1:?usage: build-package.sh DISTRO}
case $distro in
  debian-* | ubuntu-* | raspbian-*) kind=deb ext=deb ;;
  centos-* | fedora-* | rhel-*) kind=rpm ext=rpm ;;
  *) echo "build-package.sh: unknown distribution family: $distro" >&2; exit 1 ;;
esac

make -C "docker-ce-packaging/$kind" REF="$DOCKER_TAG" VERSION="$DOCKER_VERS" "$distro"
mkdir -p "packages/$distro"
find "docker-ce-packaging/$kind" -path "*/$distro/*" -name "*.$ext" -exec cp {} "packages/$distro/" \;
count=$(find "packages/$distro" -name "*.$ext" | wc -l)
if ((count == 0)); then
  echo "build-package.sh: no .$ext packages for $distro" >&2
  exit 1
fi
echo "$distro: $count packages"
