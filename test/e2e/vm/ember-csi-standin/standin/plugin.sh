#!/bin/sh
# A stand-in for the ember-csi plugin, for gatehouse's tests (busybox only).
#   plugin.sh             serve: listen on the unix socket of CSI_ENDPOINT, as ember-csi does
#   plugin.sh probe NAME  exit 0 when NAME is in /standin/capabilities (what csi-sanity's stand-in asks)
# busybox has no program that listens on a unix socket at a chosen path, except syslogd, which
# creates the socket /dev/log points to: so this container gets its own /dev (the host's stays
# untouched) where /dev/log points at the CSI endpoint. Needs --privileged, as ember-csi does.
set -eu
if [ "${1:-serve}" = probe ]; then
  grep -qx "$2" /standin/capabilities
  exit
fi
sock=${CSI_ENDPOINT#unix://}
echo "ember-csi stand-in: mode ${CSI_MODE:-?}, spec ${X_CSI_SPEC_VERSION:-?}"
echo "ember-csi stand-in: backend config ${X_CSI_BACKEND_CONFIG:-none}"
echo "ember-csi stand-in: capabilities $(tr '\n' ' ' </standin/capabilities)"
mount -t tmpfs tmpfs /dev
mknod -m 666 /dev/null c 1 3
rm -f "$sock"
ln -s "$sock" /dev/log
echo "ember-csi stand-in: serving on $CSI_ENDPOINT"
exec syslogd -n -O -
