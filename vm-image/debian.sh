#!/usr/bin/env bash
# Debian image: debootstrap (minbase) into a directory, configure it in a chroot (through
# qemu-user-static for a foreign architecture), then mkfs.ext4 -d and qemu-img convert: no loop
# mounts, no root-only kernel features beyond chroot. Sourced by build.sh, which sets the globals.
# shellcheck disable=SC2154 # ARCH, OUT, WORK, WITH_DOCKER, EXTRA_PACKAGES, MIRROR, SUITE, DISK_SIZE, HERE come from build.sh
# shellcheck disable=SC2034 # KERNEL_VERSION, HOST_KEYS, ROOT_CMDLINE, DEB_ARCH… are read by build.sh

debian_plan() {
  case "$ARCH" in
    x86_64) DEB_ARCH=amd64 KERNEL_PKG=linux-image-cloud-amd64 KERNEL_GLOB='vmlinuz-*' ;;
    ppc64le) DEB_ARCH=ppc64el KERNEL_PKG=linux-image-powerpc64le KERNEL_GLOB='vmlinux-*' ;;
    *) die "debian: unsupported --arch $ARCH (x86_64 or ppc64le)" ;;
  esac
  PACKAGES="systemd-sysv,udev,openssh-server,iproute2,$KERNEL_PKG,initramfs-tools,ca-certificates,sudo,tar,gzip,xz-utils,procps,less"
  if [ "$WITH_DOCKER" = 1 ]; then
    PACKAGES="$PACKAGES,docker.io,apparmor,busybox-static"
  fi
  if [ -n "$EXTRA_PACKAGES" ]; then
    [[ $EXTRA_PACKAGES =~ ^[a-z0-9][a-z0-9.+,-]*$ ]] || die "--packages: expected Debian package names separated by commas, got '$EXTRA_PACKAGES'"
    PACKAGES="$PACKAGES,$EXTRA_PACKAGES"
  fi
  cat >&2 <<PLAN
plan (debian $SUITE, $ARCH as $DEB_ARCH):
  1. debootstrap --foreign --arch=$DEB_ARCH --variant=minbase --include=$PACKAGES $SUITE $WORK/root $MIRROR,
     then (MODULES=list: virtio and ext4) chroot $WORK/root /debootstrap/debootstrap --second-stage
  2. configure in a chroot: user ci (passwordless sudo), sshd with the per-build key from the kernel
     command line, static 10.0.2.15 on eth0 (one ip unit, no network daemon), timers and boot-time units a build
     VM has no use for masked, gatehouse's straight initramfs /init (modules, root, switch_root)
  3. copy out the kernel ($KERNEL_GLOB) and initrd
  4. mkfs.ext4 -d $WORK/root $WORK/disk.raw $DISK_SIZE; qemu-img convert -O qcow2 → $OUT/disk.qcow2
  5. write $OUT/manifest.json (name, arch, packages, sizes, sha256, host keys, recipe)
PLAN
}

debian_check_tools() {
  need debootstrap debootstrap
  need mkfs.ext4 e2fsprogs
  need qemu-img qemu-utils
  need chroot coreutils
  if [ "$ARCH" != "$(uname -m)" ]; then
    need qemu-ppc64le-static qemu-user-static
    need update-binfmts binfmt-support
    [ -e /proc/sys/fs/binfmt_misc/status ] || die "binfmt_misc is not mounted: mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc"
    grep -q enabled /proc/sys/fs/binfmt_misc/qemu-ppc64le 2>/dev/null || die "qemu-ppc64le is not registered with binfmt_misc: update-binfmts --enable qemu-ppc64le (package qemu-user-static)"
  fi
  [ "$(id -u)" -eq 0 ] || die "debootstrap and chroot need root: run with sudo"
}

debian_build() {
  local root="$WORK/root"
  # Two stages, so the small-initramfs settings are in place before the kernel's postinst builds
  # its initramfs: that runs once, with virtio and ext4 only (under qemu-user the default
  # MODULES=most initramfs alone takes many minutes).
  phase "debootstrap $SUITE $DEB_ARCH, first stage (minbase + $(echo "$PACKAGES" | tr ',' ' ' | wc -w) packages) from $MIRROR"
  debootstrap --foreign --arch="$DEB_ARCH" --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed (full log: $WORK/debootstrap.log)"; }
  mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/usr/share/initramfs-tools/modules.d"
  printf 'MODULES=list\n' >"$root/etc/initramfs-tools/conf.d/gatehouse"
  install -m 0644 "$HERE/guest/initramfs-modules" "$root/usr/share/initramfs-tools/modules.d/gatehouse"
  mkdir -p "$root/etc/initramfs-tools/hooks" "$root/usr/local/lib/gatehouse"
  install -m 0755 "$HERE/guest/initramfs-init" "$root/usr/local/lib/gatehouse/initramfs-init"
  install -m 0755 "$HERE/guest/initramfs-hook" "$root/etc/initramfs-tools/hooks/gatehouse-init"

  phase "debootstrap second stage, in the chroot"
  chroot "$root" /debootstrap/debootstrap --second-stage >>"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap --second-stage failed (full log: $WORK/debootstrap.log)"; }

  phase "configure the guest"
  debian_configure "$root"

  phase "copy kernel and initrd"
  local kernel initrd
  kernel=$(find "$root/boot" -maxdepth 1 -name "$KERNEL_GLOB" | sort | tail -n 1)
  initrd=$(find "$root/boot" -maxdepth 1 -name 'initrd.img-*' | sort | tail -n 1)
  if [ -z "$kernel" ] || [ -z "$initrd" ]; then die "no kernel or initrd in $root/boot"; fi
  install -m 0644 "$kernel" "$OUT/kernel"
  # Uncompressed: under TCG the guest kernel's gunzip of the initramfs took a good part of a
  # second; a plain cpio is only copied (the kernel takes either).
  if gzip -t "$initrd" 2>/dev/null; then gzip -dc "$initrd" >"$OUT/initrd.img"; else cp "$initrd" "$OUT/initrd.img"; fi
  chmod 0644 "$OUT/initrd.img"
  KERNEL_VERSION=${kernel##*/vmlinu?-}

  # shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
  chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' >"$WORK/packages.txt"
  HOST_KEYS=$(cat "$root"/etc/ssh/ssh_host_*_key.pub)
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"* "$root/var/log/"*.log

  phase "mkfs.ext4 -d ($DISK_SIZE) and qemu-img convert"
  mkfs.ext4 -q -F -L gatehouse-root -d "$root" "$WORK/disk.raw" "$DISK_SIZE"
  qemu-img convert -O qcow2 "$WORK/disk.raw" "$OUT/disk.qcow2"
  rm -f "$WORK/disk.raw"
}

debian_configure() {
  local root="$1"
  echo gatehouse-vm >"$root/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 gatehouse-vm\n' >"$root/etc/hosts"
  install -m 0644 "$HERE/guest/fstab" "$root/etc/fstab"
  install -m 0755 "$HERE/guest/gatehouse-authorized-keys" "$root/usr/local/sbin/gatehouse-authorized-keys"
  install -m 0644 "$HERE/guest/sshd-gatehouse.conf" "$root/etc/ssh/sshd_config.d/gatehouse.conf"
  install -m 0440 "$HERE/guest/sudoers-ci" "$root/etc/sudoers.d/ci"
  install -m 0644 "$HERE/guest/gatehouse-net.service" "$root/etc/systemd/system/gatehouse-net.service"
  install -m 0644 "$HERE/guest/net.ip" "$root/usr/local/lib/gatehouse/net.ip"
  install -D -m 0644 "$HERE/guest/ssh-gatehouse.conf" "$root/etc/systemd/system/ssh.service.d/gatehouse.conf"
  install -D -m 0644 "$HERE/guest/udev-trigger-gatehouse.conf" "$root/etc/systemd/system/systemd-udev-trigger.service.d/gatehouse.conf"
  printf 'nameserver 10.0.2.3\n' >"$root/etc/resolv.conf"
  # No message of the day: pam_motd runs run-parts over /etc/update-motd.d (a shell, uname) at
  # every SSH session, for a message a command session never shows.
  sed -i 's/^\(session[[:space:]].*pam_motd\.so.*\)$/# gatehouse: \1/' "$root/etc/pam.d/sshd"
  # SFTP inside sshd's session process, not a separate sftp-server exec per connection (the worker
  # opens SFTP before the first step). Here, not in the drop-in: sshd refuses a second Subsystem sftp.
  sed -i 's|^Subsystem[[:space:]]\+sftp[[:space:]].*$|Subsystem sftp internal-sftp|' "$root/etc/ssh/sshd_config"
  grep -q '^Subsystem sftp internal-sftp$' "$root/etc/ssh/sshd_config" || die "sshd_config: no Subsystem sftp line to change"
  printf 'deb %s %s main\n' "$MIRROR" "$SUITE" >"$root/etc/apt/sources.list"

  chroot "$root" useradd --create-home --shell /bin/bash --uid 1000 ci
  chroot "$root" passwd --lock root >/dev/null
  [ "$WITH_DOCKER" = 1 ] && chroot "$root" usermod -aG docker ci
  chroot "$root" systemctl enable gatehouse-net.service ssh.service >/dev/null 2>&1
  # Nothing that a build minute should pay for: timers, waits for the network, getty on a VGA tty.
  chroot "$root" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
    fstrim.timer dpkg-db-backup.timer systemd-networkd.service systemd-networkd-wait-online.service \
    getty@tty1.service getty-static.service systemd-timesyncd.service >/dev/null 2>&1
  # Under TCG every process at boot costs a fraction of a second: what a throwaway build VM has
  # no use for is not started. Debug and config file systems, modules nobody asked for (loop and
  # dm_mod still load on first use, through kmod-static-nodes' device nodes), a console login,
  # boot records (utmp), users and catalogs that the image build already made, binfmt, pstore.
  # The machine-wide settings that builds can meet (sysctl, tmpfiles, remount with fstab's
  # options, the random seed) stay.
  chroot "$root" systemctl mask dev-hugepages.mount dev-mqueue.mount sys-kernel-debug.mount \
    sys-kernel-tracing.mount sys-kernel-config.mount sys-fs-fuse-connections.mount \
    modprobe@configfs.service modprobe@efi_pstore.service modprobe@fuse.service modprobe@drm.service \
    modprobe@loop.service modprobe@dm_mod.service systemd-modules-load.service \
    systemd-journal-flush.service systemd-sysusers.service systemd-update-utmp.service \
    systemd-update-utmp-runlevel.service serial-getty@ttyS0.service serial-getty@hvc0.service \
    systemd-binfmt.service proc-sys-fs-binfmt_misc.automount systemd-pstore.service \
    systemd-firstboot.service systemd-hwdb-update.service ldconfig.service \
    systemd-machine-id-commit.service systemd-journal-catalog-update.service \
    systemd-update-done.service >/dev/null 2>&1
  # More of the same, each one process before sshd: the root is mounted with fstab's options by the
  # initramfs already (rootflags=), so systemd-remount-fs has nothing to change; the random seed
  # file would be the same in every VM made from this image (the kernel's generator is seeded by
  # virtio-rng and its own jitter, and nothing is saved for a next boot that never comes); and
  # /run/nologin, which systemd-user-sessions removes once booted, is not made at all (a throwaway
  # VM has no boot or shutdown that logins must wait out).
  chroot "$root" systemctl mask systemd-remount-fs.service systemd-random-seed.service \
    systemd-user-sessions.service >/dev/null 2>&1
  ln -sf /dev/null "$root/etc/tmpfiles.d/systemd-nologin.conf"
  # Generators run before any unit, one process each; these find nothing in a build VM (no
  # encrypted, GPT-auto, hibernated, sysv-only or rc.local setup, no console getty, no
  # systemd.debug_shell or systemd.run on the kernel command line).
  mkdir -p "$root/etc/systemd/system-generators"
  local generator
  for generator in systemd-cryptsetup-generator systemd-getty-generator systemd-gpt-auto-generator \
    systemd-hibernate-resume-generator systemd-integritysetup-generator systemd-rc-local-generator \
    systemd-debug-generator systemd-run-generator systemd-system-update-generator systemd-sysv-generator systemd-veritysetup-generator; do
    ln -sf /dev/null "$root/etc/systemd/system-generators/$generator"
  done
  if [ "$WITH_DOCKER" = 1 ]; then
    # No registry is reachable from a test VM: a busybox rootfs ready for `docker import`.
    mkdir -p "$root/opt/gatehouse/busybox/bin"
    cp "$root/bin/busybox" "$root/opt/gatehouse/busybox/bin/busybox"
    local applet
    for applet in $(chroot "$root" /bin/busybox --list); do
      [ "$applet" = busybox ] || ln -s busybox "$root/opt/gatehouse/busybox/bin/$applet"
    done
    tar -C "$root/opt/gatehouse/busybox" -cf "$root/opt/gatehouse/busybox-rootfs.tar" .
    rm -rf "$root/opt/gatehouse/busybox"
    # …imported as the image `busybox` each time dockerd starts (before docker.service is active).
    install -m 0755 "$HERE/guest/gatehouse-busybox-image" "$root/usr/local/sbin/gatehouse-busybox-image"
    install -D -m 0644 "$HERE/guest/docker-busybox.conf" "$root/etc/systemd/system/docker.service.d/gatehouse-busybox.conf"
  fi
}
