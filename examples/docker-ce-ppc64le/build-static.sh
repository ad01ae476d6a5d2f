#!/usr/bin/env bash
# build-static.sh: build docker's static binaries and copy the tarballs to packages/static/.
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=examples/docker-ce-ppc64le/env-list.sh
. "$here/env-list.sh"
env_list_load env/env.list

make -C docker-ce-packaging/static REF="$DOCKER_TAG" VERSION="$DOCKER_VERS" static-linux
mkdir -p packages/static
find docker-ce-packaging/static/build -name '*.tgz' -exec cp {} packages/static/ \;
ls -l packages/static
