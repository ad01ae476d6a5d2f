#!/usr/bin/env bash
# DRIVER_CONFIG for the Ceph (RBD) driver, as an Ember-CSI `config` file's DRIVER_CONFIG_# script:
# sourced on the CI host, it sets DRIVER_CONFIG and packs the cluster's configuration and keyring
# (CEPH_ROOT/etc/ceph, CEPH_ROOT default /) into a tarball under /tmp, named by CSI_SYSTEM_FILES.
# gatehouse uploads that tarball into the VM, where the pre-run step unpacks it into /.
# shellcheck shell=bash disable=SC2034 # DRIVER_CONFIG and CSI_SYSTEM_FILES are read by whoever sources this

ceph_root=${CEPH_ROOT:-/}
ceph_pool=${CEPH_POOL:-rbd}
DRIVER_CONFIG="{\"name\":\"ceph\",\"driver\":\"RBD\",\"rbd_user\":\"admin\",\"rbd_pool\":\"${ceph_pool}\",\"rbd_ceph_conf\":\"/etc/ceph/ceph.conf\",\"rbd_keyring_conf\":\"/etc/ceph/ceph.client.admin.keyring\"}"

# Add the ceph config and credentials, in a directory of this run's own (mode 0700: the keyring is
# a credential, and the master and a worker on the same host each source this script).
ceph_files=$(mktemp -d "${TMPDIR:-/tmp}/ember-csi-ceph.XXXXXX")
CSI_SYSTEM_FILES=$ceph_files/etc-ceph.tar
tar -cf "$CSI_SYSTEM_FILES" -C "$ceph_root" etc/ceph || {
  rm -rf "$ceph_files"
  echo "driver-config.ceph.sh: cannot pack ${ceph_root%/}/etc/ceph (set CEPH_ROOT to where etc/ceph is)" >&2
  return 1
}
