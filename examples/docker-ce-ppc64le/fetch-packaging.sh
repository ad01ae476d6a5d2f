#!/usr/bin/env bash
# fetch-packaging.sh: clone docker-ce-packaging at DOCKER_PACKAGING_REF and check out the docker
# sources at DOCKER_TAG once, so the per-distribution builds can run side by side.
# DOCKER_PACKAGING_URL: another place to clone from (a mirror, a path or a git bundle).
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=examples/docker-ce-ppc64le/env-list.sh
. "$here/env-list.sh"
env_list_load env/env.list

rm -rf docker-ce-packaging
git clone --quiet "${DOCKER_PACKAGING_URL:-https://github.com/docker/docker-ce-packaging.git}" docker-ce-packaging
git -C docker-ce-packaging checkout --quiet "$DOCKER_PACKAGING_REF"
make -C docker-ce-packaging REF="$DOCKER_TAG" checkout
