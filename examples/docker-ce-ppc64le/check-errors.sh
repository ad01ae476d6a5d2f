#!/usr/bin/env bash
# check-errors.sh ERRORS_TXT DISTRO...: fail when a distribution is missing from errors.txt, or any
# of its three tests is missing or failed, or its All line is not 0. Every problem is listed.
set -euo pipefail

errors=${1:?usage: check-errors.sh ERRORS_TXT DISTRO...}
shift
tests=(TestDistro TestDistroInstallPackage TestDistroPackageCheck All)

declare -A rcs=()
declare -A seen=()
current=''
while IFS= read -r line || [[ -n $line ]]; do
  if [[ $line =~ ^DISTRO[[:space:]]+([^[:space:]]+)[[:space:]]+([^[:space:]]+) ]]; then
    current="${BASH_REMATCH[1]}-${BASH_REMATCH[2]}"
    seen[$current]=1
  elif [[ -n $current && $line =~ ^([A-Za-z0-9_]+)[[:space:]]*:[[:space:]]*([0-9]+)[[:space:]]*$ ]]; then
    rcs[$current/${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
  fi
done < "$errors"

problems=()
for distro in "$@"; do
  if [[ -z ${seen[$distro]:-} ]]; then
    problems+=("$distro: missing")
    continue
  fi
  for test in "${tests[@]}"; do
    rc=${rcs[$distro/$test]:-}
    if [[ -z $rc ]]; then
      problems+=("$distro: $test: no result")
    elif [[ $rc != 0 ]]; then
      problems+=("$distro: $test: failed ($rc)")
    fi
  done
done

if ((${#problems[@]} > 0)); then
  printf '%s\n' "${problems[@]}" >&2
  exit 1
fi
echo "all $# distributions passed"
