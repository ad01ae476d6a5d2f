#!/usr/bin/env bash
# build-containerd.sh DISTRO...: when CONTAINERD_BUILD=1, build containerd packages (at
# CONTAINERD_TAG, runc RUNC_VERS) for each distribution into packages/containerd/DISTRO/.
# CONTAINERD_PACKAGING_URL: another place to clone containerd-packaging from.
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=examples/docker-ce-ppc64le/env-list.sh
. "$here/env-list.sh"
env_list_load env/env.list

if [[ $CONTAINERD_BUILD != 1 ]]; then
  echo "CONTAINERD_BUILD=$CONTAINERD_BUILD: containerd packages are not built"
  exit 0
fi
rm -rf containerd-packaging
git clone --quiet "${CONTAINERD_PACKAGING_URL:-https://github.com/docker/containerd-packaging.git}" containerd-packaging
git -C containerd-packaging checkout --quiet "$CONTAINERD_PACKAGING_REF"
for distro in "$@"; do
  make -C containerd-packaging clean
  make -C containerd-packaging REF="$CONTAINERD_TAG" RUNC_REF="$RUNC_VERS" BUILD_IMAGE="${distro%%-*}:${distro#*-}"
  mkdir -p "packages/containerd/$distro"
  find containerd-packaging/build -type f \( -name '*.deb' -o -name '*.rpm' \) -exec cp {} "packages/containerd/$distro/" \;
done
