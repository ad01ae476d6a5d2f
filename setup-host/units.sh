# shellcheck shell=bash disable=SC2034 # globals set here are read by the other parts of setup-host.sh
# The systemd units of an instance, rendered into $STAGE/units. Sourced by setup-host.sh.
#
# <prefix>-master.service     the master: webhooks, queue, API and UI on PORT
# <prefix>-worker@.service    one worker per configured worker name (%i), dialling the local master
# Both run as the unprivileged gatehouse user with the hardening options below; logs go to the
# journal (journalctl -u UNIT), which rotates them: the services write no log files of their own
# (build logs live in the data dir and are pruned after logs.keepDays).

# The hardening both units share. Not MemoryDenyWriteExecute: V8's JIT needs writable code pages.
hardening() {
  cat <<EOF
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
ReadWritePaths=$DATA_DIR
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
LockPersonality=yes
SystemCallArchitectures=native
EOF
}

# The master listens on http.host; a worker on this host dials it on loopback when that is a wildcard.
local_master_url() {
  case "$CFG_HOST" in
    0.0.0.0 | :: | "") printf 'ws://127.0.0.1:%s' "$PORT" ;;
    *:*) printf 'ws://[%s]:%s' "$CFG_HOST" "$PORT" ;;
    *) printf 'ws://%s:%s' "$CFG_HOST" "$PORT" ;;
  esac
}

render_master_unit() {
  local caps="CapabilityBoundingSet="
  # A port below 1024 needs the one capability that binds it, and nothing else.
  [ "$PORT" -ge 1024 ] || caps=$'CapabilityBoundingSet=CAP_NET_BIND_SERVICE\nAmbientCapabilities=CAP_NET_BIND_SERVICE'
  cat <<EOF
# gatehouse master, instance "${INSTANCE:-default}". Written by setup-host.sh and rewritten on every run.
[Unit]
Description=gatehouse CI master (instance ${INSTANCE:-default}, port $PORT)
Documentation=file:$APP_DIR/README.md
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=$SERVICE_USER
Group=$SERVICE_USER
WorkingDirectory=$DATA_DIR
Environment=NODE_ENV=production HOME=$DATA_DIR
EnvironmentFile=$ETC_DIR/secrets.env
ExecStart=$NODE_BIN --max-semi-space-size=1 --v8-pool-size=1 --expose-gc $APP_DIR/bin/gatehouse.js master --config $ETC_DIR/gatehouse.mjs
Restart=on-failure
RestartSec=5s
TimeoutStopSec=30s
StandardOutput=journal
StandardError=journal
SyslogIdentifier=$MASTER_UNIT_BASE
$(hardening)
UMask=0027
PrivateDevices=yes
RestrictNamespaces=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
$caps

[Install]
WantedBy=multi-user.target
EOF
}

render_worker_unit() {
  cat <<EOF
# gatehouse worker %i, instance "${INSTANCE:-default}": one per name under \`workers\` in the config.
# Written by setup-host.sh and rewritten on every run.
[Unit]
Description=gatehouse CI worker %i (instance ${INSTANCE:-default})
Documentation=file:$APP_DIR/README.md
After=network-online.target $MASTER_UNIT $LIBVIRT_UNITS
Wants=network-online.target

[Service]
Type=simple
User=$SERVICE_USER
Group=$SERVICE_USER
WorkingDirectory=$DATA_DIR
Environment=NODE_ENV=production HOME=$DATA_DIR LIBVIRT_DEFAULT_URI=qemu:///system
EnvironmentFile=$ETC_DIR/secrets.env
ExecStart=$NODE_BIN --max-semi-space-size=1 $APP_DIR/bin/gatehouse.js worker --config $ETC_DIR/gatehouse.mjs --name %i --master $(local_master_url)
Restart=on-failure
RestartSec=5s
TimeoutStopSec=60s
StandardOutput=journal
StandardError=journal
SyslogIdentifier=$PREFIX-worker-%i
$(hardening)
# qemu runs as libvirt's own user and must reach the overlays the worker creates under $DATA_DIR.
UMask=0022

[Install]
WantedBy=multi-user.target
EOF
}

render_units() {
  mkdir -p "$STAGE/units"
  render_master_unit >"$STAGE/units/$MASTER_UNIT"
  render_worker_unit >"$STAGE/units/$WORKER_UNIT"
}
