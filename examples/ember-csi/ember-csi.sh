#!/usr/bin/env bash
# ember-csi.sh start: run the ember-csi image built from the PR with the driver's configuration
#                     (X_CSI_BACKEND_CONFIG, passed through by name so it never shows on a command line).
# ember-csi.sh sanity: run csi-sanity against it, writing JUnit XML to results/csi-sanity.xml.
set -euo pipefail

socket_dir=/run/ember-csi
endpoint=unix://$socket_dir/csi.sock

start() {
  : "${X_CSI_BACKEND_CONFIG:?X_CSI_BACKEND_CONFIG (the driver config) is not set}"
  docker rm -f ember-csi >/dev/null 2>&1 || true
  mkdir -p "$socket_dir" /var/lib/ember-csi results
  local extra=()
  [[ -d /etc/ceph ]] && extra+=(-v /etc/ceph:/etc/ceph:ro)
  docker run -d --name ember-csi --privileged --network host --ipc host \
    -v /dev:/dev -v "$socket_dir:$socket_dir" -v /var/lib/ember-csi:/var/lib/ember-csi \
    -v /etc/iscsi:/etc/iscsi -v /lib/modules:/lib/modules:ro "${extra[@]}" \
    -e CSI_ENDPOINT="$endpoint" -e CSI_MODE=all -e X_CSI_SPEC_VERSION=1.1 \
    -e X_CSI_BACKEND_CONFIG \
    -e X_CSI_PERSISTENCE_CONFIG='{"storage":"memory"}' \
    -e X_CSI_EMBER_CONFIG='{"plugin_name":"ember-csi.io","project_id":"ci","user_id":"ci","debug":true}' \
    ember-csi:ci
  for _ in $(seq 120); do
    [[ -S $socket_dir/csi.sock ]] && { echo "ember-csi is listening on $endpoint"; return 0; }
    sleep 1
  done
  echo "ember-csi did not open $endpoint within 120 s" >&2
  docker logs ember-csi >&2 || true
  return 1
}

sanity() {
  mkdir -p results
  csi-sanity --csi.endpoint="$endpoint" \
    --csi.stagingdir=/var/lib/ember-csi/staging --csi.mountdir=/var/lib/ember-csi/mount \
    --ginkgo.junit-report="$PWD/results/csi-sanity.xml"
}

case ${1:-} in
  start) start ;;
  sanity) sanity ;;
  *) echo "usage: $0 start|sanity" >&2; exit 2 ;;
esac
