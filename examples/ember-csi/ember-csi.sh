#!/usr/bin/env bash
# ember-csi.sh build:  wait for dockerd (it may still be starting in a fresh VM), then build the
#                      ember-csi image from the PR's checkout as ember-csi:ci.
# ember-csi.sh start:  run that image with the driver's configuration (X_CSI_BACKEND_CONFIG, passed
#                      through by name so it never shows on a command line) and wait for its socket.
# ember-csi.sh sanity: run csi-sanity ($CSI_SANITY, default csi-sanity on PATH) against it, writing
#                      JUnit XML to results/csi-sanity.xml.
set -euo pipefail

socket_dir=/run/ember-csi
endpoint=unix://$socket_dir/csi.sock
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO=sudo

# Microseconds as seconds with one decimal.
seconds() {
  printf '%d.%d' $(($1 / 1000000)) $((($1 / 100000) % 10))
}

build() {
  local began ready
  began=$(cut -d' ' -f1 /proc/uptime)
  # docker.service is active once dockerd answers (and, in gatehouse's --with docker images, once
  # the busybox image is imported): under TCG that takes a while after boot. (systemctl as root:
  # a minimal image has no D-Bus for a user's systemctl.)
  until $SUDO systemctl is-active --quiet docker; do
    if (($(cut -d. -f1 /proc/uptime) - ${began%.*} >= 600)); then
      echo "docker is not active 600 s after this step began" >&2
      $SUDO systemctl status docker --no-pager >&2 || true
      return 1
    fi
    sleep 1
  done
  ready=$(cut -d' ' -f1 /proc/uptime)
  # When dockerd started and when it was ready, in the guest's time since boot.
  local key value started=0 active=0
  while IFS='=' read -r key value; do
    case $key in
      InactiveExitTimestampMonotonic) started=$value ;;
      ActiveEnterTimestampMonotonic) active=$value ;;
    esac
  done < <($SUDO systemctl show docker -p InactiveExitTimestampMonotonic -p ActiveEnterTimestampMonotonic)
  echo "docker.service: started at $(seconds "$started") s after boot, active at $(seconds "$active") s (dockerd start $(seconds $((active - started))) s); this step began at ${began} s and saw it active at ${ready} s"
  echo "docker $(docker version --format '{{.Server.Version}}')"
  docker build -t ember-csi:ci .
}

start() {
  : "${X_CSI_BACKEND_CONFIG:?X_CSI_BACKEND_CONFIG (the driver config) is not set}"
  docker rm -f ember-csi >/dev/null 2>&1 || true
  $SUDO mkdir -p "$socket_dir" /var/lib/ember-csi /etc/iscsi
  mkdir -p results
  local extra=()
  [[ -d /etc/ceph ]] && extra+=(-v /etc/ceph:/etc/ceph:ro)
  docker run -d --name ember-csi --privileged --network host --ipc host \
    -v /dev:/dev -v "$socket_dir:$socket_dir" -v /var/lib/ember-csi:/var/lib/ember-csi \
    -v /etc/iscsi:/etc/iscsi -v /lib/modules:/lib/modules:ro "${extra[@]}" \
    -e CSI_ENDPOINT="$endpoint" -e CSI_MODE=all -e X_CSI_SPEC_VERSION=1.1 \
    -e X_CSI_BACKEND_CONFIG \
    -e X_CSI_PERSISTENCE_CONFIG='{"storage":"memory"}' \
    -e X_CSI_EMBER_CONFIG='{"plugin_name":"ember-csi.io","project_id":"ci","user_id":"ci","debug":true}' \
    ember-csi:ci >/dev/null
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
  "${CSI_SANITY:-csi-sanity}" --csi.endpoint="$endpoint" \
    --csi.stagingdir=/var/lib/ember-csi/staging --csi.mountdir=/var/lib/ember-csi/mount \
    --ginkgo.junit-report="$PWD/results/csi-sanity.xml"
}

case ${1:-} in
  build) build ;;
  start) start ;;
  sanity) sanity ;;
  *) echo "usage: $0 build|start|sanity" >&2; exit 2 ;;
esac
