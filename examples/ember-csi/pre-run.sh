#!/usr/bin/env bash
# Ember-CSI CI pre-run: prepare the VM for the driver under test (DRIVER_NAME, else the builder's
# name) and make sure csi-sanity is available.
set -euo pipefail

driver=${DRIVER_NAME:-${GATEHOUSE_BUILDER:-}}
echo "pre-run: driver ${driver:-unknown}"

case $driver in
  lvm)
    # A loop-backed volume group named as in config.example.lvm, and the iSCSI target it exports through.
    if ! vgs ember-volumes >/dev/null 2>&1; then
      truncate -s 10G /var/lib/ember-volumes.img
      loop=$(losetup --find --show /var/lib/ember-volumes.img)
      vgcreate ember-volumes "$loop"
    fi
    modprobe target_core_mod 2>/dev/null || true
    ;;
  ceph)
    # The Ceph cluster is outside the VM; its configuration comes with the driver config's paths.
    if [[ ! -f /etc/ceph/ceph.conf ]]; then
      echo "pre-run: /etc/ceph/ceph.conf is missing; the ceph builder needs the cluster's configuration" >&2
      exit 1
    fi
    ;;
  *) echo "pre-run: nothing to prepare for driver '$driver'" ;;
esac

if ! command -v csi-sanity >/dev/null; then
  command -v go >/dev/null || { echo "pre-run: csi-sanity is not installed and Go is not available to build it" >&2; exit 1; }
  GOBIN=/usr/local/bin go install github.com/kubernetes-csi/csi-test/v5/cmd/csi-sanity@v5.2.0
fi
mkdir -p results
