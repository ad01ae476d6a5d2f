#!/usr/bin/env bash
# Ember-CSI CI post-run: always runs, and is told the result so far (success, failure, error or
# cancelled) as $1 (gatehouse also sets GATEHOUSE_RESULT); Ember's own post-run never learns it.
# Prints the plugin's log into this step's log (where the driver config is masked, unlike in an
# artifact file), cleans up, and writes the result to results/post-run-result.txt.
set -uo pipefail

result=${1:-${GATEHOUSE_RESULT:-unknown}}
driver=${DRIVER_NAME:-${GATEHOUSE_BUILDER:-}}
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO=sudo
mkdir -p results
echo "post-run: driver ${driver:-unknown}, result ${result}"
printf '%s\n' "$result" > results/post-run-result.txt

if command -v docker >/dev/null && docker inspect ember-csi >/dev/null 2>&1; then
  echo "--- ember-csi plugin log ---"
  docker logs ember-csi 2>&1 || true
  echo "--- end of the plugin log ---"
  docker rm -f ember-csi >/dev/null 2>&1 || true
fi

if [[ $driver == lvm ]] && command -v vgremove >/dev/null; then
  $SUDO vgremove -f ember-volumes >/dev/null 2>&1 || true
fi

if [[ $result != success ]]; then
  echo "post-run: the run did not succeed"
fi
exit 0
