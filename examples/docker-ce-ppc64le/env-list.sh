#!/usr/bin/env bash
# Helpers for env/env.list (KEY=VALUE lines, optionally quoted), read without sourcing it.
# Sourced by the other scripts of this example.

# Keys every env.list needs (DOCKER_TAG or DOCKER_VERS is checked apart: either one will do).
# shellcheck disable=SC2034 # used by the scripts that source this file
ENV_LIST_REQUIRED=(DOCKER_PACKAGING_REF CONTAINERD_BUILD CONTAINERD_TAG CONTAINERD_PACKAGING_REF RUNC_VERS)

# env_list_get FILE KEY: print KEY's value (the last one wins); status 1 when it is absent or empty.
env_list_get() {
  local file=$1 key=$2 line value='' re
  re="^[[:space:]]*(export[[:space:]]+)?${key}=(.*)$"
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    [[ $line =~ $re ]] || continue
    value=${BASH_REMATCH[2]}
    value=${value%"${value##*[![:space:]]}"}
    if [[ $value == \"*\" || $value == \'*\' ]]; then
      value=${value:1:${#value}-2}
    fi
  done < "$file"
  [[ -n $value ]] || return 1
  printf '%s\n' "$value"
}

# env_list_load FILE: export DOCKER_TAG, DOCKER_VERS and the required keys that FILE sets.
env_list_load() {
  local key value
  for key in DOCKER_TAG DOCKER_VERS "${ENV_LIST_REQUIRED[@]}"; do
    if value=$(env_list_get "$1" "$key"); then
      printf -v "$key" '%s' "$value"
      export "${key?}"
    fi
  done
  # Either name gives the other: DOCKER_TAG=v27.1.0 <-> DOCKER_VERS=27.1.0.
  if [[ -z ${DOCKER_TAG:-} && -n ${DOCKER_VERS:-} ]]; then export DOCKER_TAG="v$DOCKER_VERS"; fi
  if [[ -z ${DOCKER_VERS:-} && -n ${DOCKER_TAG:-} ]]; then export DOCKER_VERS="${DOCKER_TAG#v}"; fi
}
