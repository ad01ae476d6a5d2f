#!/usr/bin/env bash
# CentOS Stream image for production ppc64le hosts: start from the published GenericCloud qcow2
# (downloaded, checksum verified), customize it with virt-customize (the CI user, the sshd key
# command, no cloud-init), and take its kernel and initrd out with virt-get-kernel.
# NOT RUN on the development machines (no internet there): `--dry-run` prints this plan.
# Sourced by build.sh, which sets the globals.
# shellcheck disable=SC2154 # ARCH, OUT, WORK, HERE, CENTOS_RELEASE, CENTOS_MIRROR, DISK_SIZE, WITH_DOCKER come from build.sh
# shellcheck disable=SC2034 # KERNEL_VERSION, HOST_KEYS, ROOT_CMDLINE, DEB_ARCH… are read by build.sh

centos_plan() {
  case "$ARCH" in
    ppc64le | x86_64 | aarch64) ;;
    *) die "centos-stream: unsupported --arch $ARCH" ;;
  esac
  CENTOS_BASE="$CENTOS_MIRROR/$CENTOS_RELEASE-stream/BaseOS/$ARCH/images"
  CENTOS_IMAGE="CentOS-Stream-GenericCloud-$CENTOS_RELEASE-latest.$ARCH.qcow2"
  CENTOS_PACKAGES="openssh-server,sudo,tar,gzip"
  if [ "$WITH_DOCKER" = 1 ]; then
    CENTOS_PACKAGES="$CENTOS_PACKAGES,podman-docker,busybox"
  fi
  [ -n "$EXTRA_PACKAGES" ] && CENTOS_PACKAGES="$CENTOS_PACKAGES,$EXTRA_PACKAGES"
  cat >&2 <<PLAN
plan (centos-stream $CENTOS_RELEASE, $ARCH):
  1. download $CENTOS_BASE/$CENTOS_IMAGE and its .SHA256SUM; sha256sum -c
  2. qemu-img convert to $WORK/disk.qcow2, qemu-img resize to $DISK_SIZE
  3. virt-customize: --install $CENTOS_PACKAGES, --uninstall cloud-init, user ci with passwordless
     sudo, /usr/local/sbin/gatehouse-authorized-keys and the sshd drop-in, static 10.0.2.15 on eth0,
     --selinux-relabel
  4. virt-get-kernel → $OUT/kernel and $OUT/initrd.img
  5. write $OUT/manifest.json
PLAN
}

centos_check_tools() {
  need curl curl
  need qemu-img qemu-utils
  need virt-customize guestfs-tools
  need virt-get-kernel guestfs-tools
  need guestfish guestfish
}

centos_build() {
  phase "download $CENTOS_IMAGE"
  curl -fsSL -o "$WORK/$CENTOS_IMAGE" "$CENTOS_BASE/$CENTOS_IMAGE"
  curl -fsSL -o "$WORK/$CENTOS_IMAGE.SHA256SUM" "$CENTOS_BASE/$CENTOS_IMAGE.SHA256SUM"
  phase "verify its checksum"
  (cd "$WORK" && sha256sum --ignore-missing -c "$CENTOS_IMAGE.SHA256SUM") || die "checksum mismatch for $CENTOS_IMAGE"

  phase "resize to $DISK_SIZE"
  qemu-img convert -O qcow2 "$WORK/$CENTOS_IMAGE" "$WORK/disk.qcow2"
  qemu-img resize "$WORK/disk.qcow2" "$DISK_SIZE"

  phase "virt-customize"
  local network="$WORK/eth0.nmconnection"
  cat >"$network" <<NM
[connection]
id=eth0
type=ethernet
interface-name=eth0
[ipv4]
method=manual
address1=10.0.2.15/24,10.0.2.2
dns=10.0.2.3
[ipv6]
method=disabled
NM
  virt-customize -a "$WORK/disk.qcow2" \
    --install "$CENTOS_PACKAGES" \
    --uninstall cloud-init \
    --run-command 'useradd --create-home --shell /bin/bash --uid 1000 ci' \
    --upload "$HERE/guest/sudoers-ci:/etc/sudoers.d/ci" \
    --chmod "0440:/etc/sudoers.d/ci" \
    --upload "$HERE/guest/gatehouse-authorized-keys:/usr/local/sbin/gatehouse-authorized-keys" \
    --chmod "0755:/usr/local/sbin/gatehouse-authorized-keys" \
    --upload "$HERE/guest/sshd-gatehouse.conf:/etc/ssh/sshd_config.d/10-gatehouse.conf" \
    --upload "$network:/etc/NetworkManager/system-connections/eth0.nmconnection" \
    --chmod "0600:/etc/NetworkManager/system-connections/eth0.nmconnection" \
    --run-command 'ssh-keygen -A' \
    --selinux-relabel

  phase "take out the kernel and initrd"
  virt-get-kernel -a "$WORK/disk.qcow2" -o "$WORK/boot"
  install -m 0644 "$(find "$WORK/boot" -name 'vmlinu*' | sort | tail -n 1)" "$OUT/kernel"
  install -m 0644 "$(find "$WORK/boot" -name 'initramfs*' | sort | tail -n 1)" "$OUT/initrd.img"
  mv "$WORK/disk.qcow2" "$OUT/disk.qcow2"
  KERNEL_VERSION=$(find "$WORK/boot" -name 'vmlinu*' -printf '%f\n' | sed 's/^vmlinu.-//' | sort | tail -n 1)
  local rootdev
  rootdev=$(guestfish --ro -a "$OUT/disk.qcow2" -i inspect-get-roots | head -n 1)
  ROOT_CMDLINE="root=UUID=$(guestfish --ro -a "$OUT/disk.qcow2" run : vfs-uuid "$rootdev") ro"
  : >"$WORK/packages.txt"
  HOST_KEYS=""
}
