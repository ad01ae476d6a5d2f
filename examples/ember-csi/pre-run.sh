#!/usr/bin/env bash
# Ember-CSI CI pre-run: prepare the VM for the driver under test (DRIVER_NAME, else the builder's
# name): unpack the driver's system files (CSI_SYSTEM_FILES, a tarball the driver config script
# made on the CI host, uploaded beside this script) into /, set up the storage, and make sure
# csi-sanity ($CSI_SANITY, default csi-sanity on PATH) is available.
set -euo pipefail

driver=${DRIVER_NAME:-${GATEHOUSE_BUILDER:-}}
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO=sudo
echo "pre-run: driver ${driver:-unknown}"

if [[ -n ${CSI_SYSTEM_FILES:-} ]]; then
  echo "pre-run: unpacking $(tar -tf "$CSI_SYSTEM_FILES" | grep -vc '/$') system files from $CSI_SYSTEM_FILES into /"
  $SUDO tar -xf "$CSI_SYSTEM_FILES" -C / --no-same-owner
  rm -f "$CSI_SYSTEM_FILES"
fi

case $driver in
  lvm)
    # A loop-backed volume group named as in config.example.lvm, and the iSCSI target it exports through.
    if ! $SUDO vgs ember-volumes >/dev/null 2>&1; then
      $SUDO truncate -s 10G /var/lib/ember-volumes.img
      loop=$($SUDO losetup --find --show /var/lib/ember-volumes.img)
      $SUDO vgcreate ember-volumes "$loop"
    fi
    $SUDO modprobe target_core_mod 2>/dev/null || true
    ;;
  ceph)
    # The Ceph cluster is outside the VM; its configuration and keyring come in CSI_SYSTEM_FILES.
    if [[ ! -f /etc/ceph/ceph.conf ]]; then
      echo "pre-run: /etc/ceph/ceph.conf is missing; the ceph builder needs the cluster's configuration (CSI_SYSTEM_FILES)" >&2
      exit 1
    fi
    echo "pre-run: ceph cluster $(sed -n 's/^[[:space:]]*fsid[[:space:]]*=[[:space:]]*//p' /etc/ceph/ceph.conf | head -n 1)"
    ;;
  *) echo "pre-run: nothing to prepare for driver '$driver'" ;;
esac

if ! command -v "${CSI_SANITY:-csi-sanity}" >/dev/null; then
  [[ -z ${CSI_SANITY:-} ]] || { echo "pre-run: CSI_SANITY=$CSI_SANITY is not there" >&2; exit 1; }
  command -v go >/dev/null || { echo "pre-run: csi-sanity is not installed and Go is not available to build it" >&2; exit 1; }
  $SUDO env GOBIN=/usr/local/bin go install github.com/kubernetes-csi/csi-test/v5/cmd/csi-sanity@v5.2.0
fi
mkdir -p results
