#!/usr/bin/env bash
# check-env-list.sh [FILE]: fail, naming them, when env/env.list lacks a required key.
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=examples/docker-ce-ppc64le/env-list.sh
. "$here/env-list.sh"

file=${1:-env/env.list}
if [[ ! -f $file ]]; then
  echo "$file: no such file" >&2
  exit 1
fi

missing=()
if ! env_list_get "$file" DOCKER_TAG >/dev/null && ! env_list_get "$file" DOCKER_VERS >/dev/null; then
  missing+=("DOCKER_TAG (or DOCKER_VERS)")
fi
for key in "${ENV_LIST_REQUIRED[@]}"; do
  env_list_get "$file" "$key" >/dev/null || missing+=("$key")
done
if ((${#missing[@]} > 0)); then
  echo "$file: missing required keys: ${missing[*]}" >&2
  exit 1
fi

build=$(env_list_get "$file" CONTAINERD_BUILD)
if [[ $build != 0 && $build != 1 ]]; then
  echo "$file: CONTAINERD_BUILD must be 0 or 1, got '$build'" >&2
  exit 1
fi

env_list_load "$file"
echo "$file: docker $DOCKER_TAG (packaging $DOCKER_PACKAGING_REF), containerd $CONTAINERD_TAG (build: $CONTAINERD_BUILD, packaging $CONTAINERD_PACKAGING_REF), runc $RUNC_VERS"
