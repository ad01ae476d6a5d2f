#!/usr/bin/env bash
# Ember-CSI CI post-run: always runs, and is told the result so far (success, failure, error or
# cancelled) as $1 (gatehouse also sets GATEHOUSE_RESULT). Saves the plugin's log and cleans up.
set -uo pipefail

result=${1:-${GATEHOUSE_RESULT:-unknown}}
driver=${DRIVER_NAME:-${GATEHOUSE_BUILDER:-}}
mkdir -p results
echo "post-run: driver ${driver:-unknown}, result ${result}"
printf '%s\n' "$result" > results/post-run-result.txt

if command -v docker >/dev/null; then
  docker logs ember-csi > results/ember-csi.log 2>&1 || true
  docker rm -f ember-csi >/dev/null 2>&1 || true
fi

if [[ $driver == lvm ]] && command -v vgremove >/dev/null; then
  vgremove -f ember-volumes >/dev/null 2>&1 || true
fi

if [[ $result != success ]]; then
  echo "post-run: the run did not succeed; see results/ember-csi.log"
fi
exit 0
