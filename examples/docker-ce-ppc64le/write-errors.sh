#!/usr/bin/env bash
# write-errors.sh RESULTS_DIR OUT DISTRO...: write errors.txt in the original scripts' format from
# each distribution's RESULTS_DIR/DISTRO/rc.txt ("<Test> <rc>" lines):
#   DISTRO <name> <vers>
#   <Test> : <rc>        (one line per test)
#   All : <0|1>
# A distribution without rc.txt gets no block (check-errors.sh reports it missing).
set -euo pipefail

results=${1:?usage: write-errors.sh RESULTS_DIR OUT DISTRO...}
out=${2:?usage: write-errors.sh RESULTS_DIR OUT DISTRO...}
shift 2

: > "$out"
for distro in "$@"; do
  rcfile=$results/$distro/rc.txt
  if [[ ! -f $rcfile ]]; then
    echo "write-errors.sh: $distro: no results" >&2
    continue
  fi
  all=0
  {
    echo "DISTRO ${distro%%-*} ${distro#*-}"
    while read -r test rc; do
      [[ -n $test ]] || continue
      echo "$test : $rc"
      [[ $rc == 0 ]] || all=1
    done < "$rcfile"
    echo "All : $all"
  } >> "$out"
done
cat "$out"
