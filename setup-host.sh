#!/usr/bin/env bash
# Install gatehouse on this host, from this checkout, as systemd services.
#
#   sudo ./setup-host.sh CONFIG [--dry-run] [--no-start] [--instance NAME] [--port N] [--tcg] [--offline]
#                               [--allow-host-executor]
#   sudo ./setup-host.sh --uninstall [--purge] [--instance NAME] [--dry-run]
#
# CONFIG is a gatehouse config (.ts, .mjs, .js, .json) or an Ember-CSI third-party CI `config` file
# (KEY=VALUE: SMEE_ID, GH_TOKEN, GH_EMBER_SECRET, DRIVER_NAME_1, ...), converted on the way.
# Secrets the config references ({ env: 'NAME' }) are taken from this command's environment
# (sudo NAME=value ./setup-host.sh ...), else kept from the last run; webhook, worker and admin
# secrets are generated when nothing gives them.
#
# What it does, each step only when needed (a second run changes nothing and says so):
#   packages   Node.js >= 20, git, libvirt, qemu, qemu-img, image tools, for this OS
#   checks     hardware virtualization (KVM), else a warning and TCG
#   user       gatehouse, a system user in the libvirt, kvm and QEMU (libvirt-qemu or qemu) groups
#   app        /opt/gatehouse: the built app with production dependencies only
#   config     /etc/gatehouse: site/ (your config), gatehouse.mjs (what the services load),
#              secrets.env (mode 0600)
#   data       /var/lib/gatehouse
#   units      gatehouse-master.service, gatehouse-worker@NAME.service per configured worker;
#              libvirt enabled; everything started (or restarted when what it uses changed)
# --instance NAME installs a second, independent instance beside the first: gatehouse-NAME-*
# units, /opt, /etc and /var/lib/gatehouse-NAME, port --port (default: the config's + 1), status
# contexts "NAME/<context>" and logs branch "<branch>-NAME".
# --dry-run prints the plan (packages, users, paths, files, units) and changes nothing.
# --offline installs packages only from what the package manager already has (no list refresh).
# --tcg makes the VMs use TCG even where KVM looks usable.
# --allow-host-executor installs a config with builders on the `host` executor. Without it such a
# config is refused: those builders run pull-request code directly on this host, as the service
# user, which is in the libvirt and kvm groups (it can start VMs and read the secrets the worker has).
# --uninstall removes the units and the app and keeps config and data; --purge removes those too.
#
# For tests: SETUP_HOST_ROOT=DIR (with --dry-run: plan for the system in DIR),
# SETUP_HOST_OS_RELEASE=FILE, SETUP_HOST_ARCH=ARCH, SETUP_HOST_NODE=PATH, SETUP_HOST_STAGE=DIR (keep
# the rendered files there).
set -euo pipefail

# The environment as given, before this script sets variables of its own: secrets come from it.
declare -A GIVEN_ENV=()
while IFS= read -r -d '' given; do GIVEN_ENV[${given%%=*}]=${given#*=}; done < <(env -0)
unset given

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=setup-host/common.sh
. "$SRC/setup-host/common.sh"
# shellcheck source=setup-host/os.sh
. "$SRC/setup-host/os.sh"
# shellcheck source=setup-host/node.sh
. "$SRC/setup-host/node.sh"
# shellcheck source=setup-host/virt.sh
. "$SRC/setup-host/virt.sh"
# shellcheck source=setup-host/config.sh
. "$SRC/setup-host/config.sh"
# shellcheck source=setup-host/app.sh
. "$SRC/setup-host/app.sh"
# shellcheck source=setup-host/units.sh
. "$SRC/setup-host/units.sh"
# shellcheck source=setup-host/system.sh
. "$SRC/setup-host/system.sh"

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

parse_args() {
  CONFIG="" DRY_RUN=0 NO_START=0 INSTANCE="" UNINSTALL=0 PURGE=0 OFFLINE=0 FORCE_TCG=0 PORT_OPTION="" LIST_PACKAGES=0 ALLOW_HOST_EXECUTOR=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      --no-start) NO_START=1 ;;
      --instance)
        INSTANCE=${2:?--instance needs a name}
        shift
        ;;
      --port)
        PORT_OPTION=${2:?--port needs a number}
        shift
        ;;
      --uninstall) UNINSTALL=1 ;;
      --purge) PURGE=1 ;;
      --offline) OFFLINE=1 ;;
      --tcg) FORCE_TCG=1 ;;
      --allow-host-executor) ALLOW_HOST_EXECUTOR=1 ;;
      --list-packages) LIST_PACKAGES=1 DRY_RUN=1 ;; # for the test root builder: missing packages, one a line
      -h | --help) usage 0 ;;
      -*) die "unknown option $1 (see --help)" ;;
      *)
        [ -z "$CONFIG" ] || die "one CONFIG only (got $CONFIG and $1)"
        CONFIG="$1"
        ;;
    esac
    shift
  done
  [ "$INSTANCE" != default ] || INSTANCE=""
  [ -z "$INSTANCE" ] || [[ "$INSTANCE" =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] || die "--instance: lower-case letters, digits and '-' (got $INSTANCE)"
  [ -z "$PORT_OPTION" ] || [[ "$PORT_OPTION" =~ ^[0-9]+$ && "$PORT_OPTION" -ge 1 && "$PORT_OPTION" -le 65535 ]] || die "--port: expected 1-65535 (got $PORT_OPTION)"
  [ "$PURGE" = 0 ] || [ "$UNINSTALL" = 1 ] || die "--purge goes with --uninstall"
  if [ "$UNINSTALL" = 0 ]; then
    [ -n "$CONFIG" ] || usage
    [ -r "$CONFIG" ] || die "cannot read $CONFIG"
    CONFIG=$(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")
  fi
}

# Names and paths of this instance.
set_paths() {
  ROOT="${SETUP_HOST_ROOT:-}"
  ROOT="${ROOT%/}"
  HOST_ARCH="${SETUP_HOST_ARCH:-$(uname -m)}"
  PREFIX=gatehouse${INSTANCE:+-$INSTANCE}
  SERVICE_USER=gatehouse
  APP_DIR=/opt/$PREFIX
  ETC_DIR=/etc/$PREFIX
  DATA_DIR=/var/lib/$PREFIX
  MASTER_UNIT_BASE=$PREFIX-master
  MASTER_UNIT=$MASTER_UNIT_BASE.service
  WORKER_UNIT=$PREFIX-worker@.service
  # libvirt is socket-activated: its daemon starts on the first connection and exits when idle
  # (so "is the service running" is the wrong question; "is its socket listening" is the right one).
  case "$OS_FAMILY" in
    debian) LIBVIRT_UNITS="libvirtd.socket" ;; # Debian and Ubuntu: the monolithic libvirtd
    *) LIBVIRT_UNITS="virtqemud.socket" ;;     # EL 9+ and Fedora: the modular daemons
  esac
}

cleanup() {
  [ -z "${STAGED_APP:-}" ] || rm -rf "$STAGED_APP"
  [ -z "${STAGE:-}" ] || [ -n "${SETUP_HOST_STAGE:-}" ] || rm -rf "$STAGE"
}

make_stage() {
  if [ -n "${SETUP_HOST_STAGE:-}" ]; then
    STAGE="$SETUP_HOST_STAGE"
    rm -rf "$STAGE"
    mkdir -p "$STAGE"
  else
    STAGE=$(mktemp -d "${TMPDIR:-/tmp}/setup-host.XXXXXX")
  fi
  chmod 0700 "$STAGE"
  mkdir -p "$STAGE/etc"
}

# install_config_files: the staged /etc files and units into place.
install_config_files() {
  local f rel target mode
  ensure_dir "$ETC_DIR" 0750 "root:$SERVICE_USER" config
  ensure_dir "$ETC_DIR/site" 0750 "root:$SERVICE_USER" "site config"
  ensure_dir "$DATA_DIR" 0751 "$SERVICE_USER:$SERVICE_USER" data
  while IFS= read -r -d '' f; do
    rel=${f#"$STAGE/etc/site/"}
    # Scripts the builders upload keep their executable bit (the worker copies the mode too).
    if [ -x "$f" ]; then mode=0750; else mode=0640; fi
    put_file "$f" "$ETC_DIR/site/$rel" "$mode" "root:$SERVICE_USER" all
  done < <(find "$STAGE/etc/site" -type f -print0 | LC_ALL=C sort -z)
  # Files of an earlier config that this one no longer has.
  if [ -d "$(rp "$ETC_DIR/site")" ]; then
    while IFS= read -r -d '' target; do
      rel=${target#"$(rp "$ETC_DIR/site")/"}
      [ -e "$STAGE/etc/site/$rel" ] || { remove_path "$ETC_DIR/site/$rel" "old site file" && RESTART_MASTER=1 RESTART_WORKERS=1; }
    done < <(find "$(rp "$ETC_DIR/site")" -type f -print0)
  fi
  put_file "$STAGE/etc/gatehouse.mjs" "$ETC_DIR/gatehouse.mjs" 0640 "root:$SERVICE_USER" all
  put_file "$STAGE/etc/instance.env" "$ETC_DIR/instance.env" 0644 root:root none
  put_file "$STAGE/etc/secrets.env" "$ETC_DIR/secrets.env" 0600 root:root all
  local before=${#CHANGES[@]}
  put_file "$STAGE/units/$MASTER_UNIT" "/etc/systemd/system/$MASTER_UNIT" 0644 root:root master
  put_file "$STAGE/units/$WORKER_UNIT" "/etc/systemd/system/$WORKER_UNIT" 0644 root:root workers
  UNITS_CHANGED=$([ ${#CHANGES[@]} -gt "$before" ] && echo 1 || echo 0)
}

ui_url() {
  if [ "$CFG_PUBLIC_URL" != - ] && [ -z "$INSTANCE" ]; then
    printf '%s' "$CFG_PUBLIC_URL"
  else
    printf 'http://%s:%s/' "$(hostname -f 2>/dev/null || hostname)" "$PORT"
  fi
}

summary() {
  local w units="$MASTER_UNIT"
  for w in "${WORKERS[@]}"; do units+=" ${WORKER_UNIT%.service}$w.service"; done
  say ""
  if [ "$DRY_RUN" = 1 ]; then
    say "dry run: nothing was changed. Run again without --dry-run to apply this plan."
  elif [ ${#CHANGES[@]} -eq 0 ]; then
    say "No changes: gatehouse instance \"${INSTANCE:-default}\" is already installed as configured."
  else
    say "Changed (${#CHANGES[@]}):"
    printf '  - %s\n' "${CHANGES[@]}"
  fi
  say ""
  say "UI and API:  $(ui_url)   (webhooks: POST /change_hook/github; health: GET /healthz)"
  say "status:      systemctl status $units"
  say "logs:        journalctl -u $MASTER_UNIT -f$([ ${#WORKERS[@]} -eq 0 ] || echo "   journalctl -u '${WORKER_UNIT%.service}*' -f")"
  say "config:      $ETC_DIR/site/$SITE_FILE (edit your own copy and run setup-host.sh again)"
  [ "$NO_START" = 0 ] || say "start:       systemctl start $units"
  # The UI's port is not opened in a firewall: webhooks can come through smee.io without it.
  if [ -z "$ROOT" ] && command -v firewall-cmd >/dev/null 2>&1 && firewall-cmd --state >/dev/null 2>&1; then
    say "firewall:    firewalld is running; to reach the UI from elsewhere: firewall-cmd --permanent --add-port=$PORT/tcp && firewall-cmd --reload"
  fi
  if [ -n "$INSTANCE" ] && [ "$CFG_PUBLIC_URL" != - ]; then
    warn "http.publicUrl ($CFG_PUBLIC_URL) is the site's; this instance listens on port $PORT"
  fi
  local image name arch disk
  for image in "${IMAGES[@]}"; do
    read -r name arch disk <<<"$image"
    # Relative image paths are relative to vm.imagesDir, itself relative to the data dir.
    case "$disk:$CFG_IMAGES_DIR" in
      /*) ;;
      *:/*) disk="$CFG_IMAGES_DIR/$disk" ;;
      *) disk="$DATA_DIR/$CFG_IMAGES_DIR/$disk" ;;
    esac
    [ -e "$(rp "$disk")" ] || warn "image $name ($arch): $disk is missing; build it with $APP_DIR/vm-image/build.sh --arch $arch --out $(dirname "$disk") (add the --with/--packages its builders need)"
  done
  local flags
  for image in "${IMAGE_BUILDS[@]}"; do
    read -r name arch flags <<<"$image"
    say "image $name ($arch): built by the worker (vm-image/build.sh $flags --arch $arch) when it has no verified version, and rebuilt on schedule; to build it now: sudo -u $SERVICE_USER $APP_DIR/bin/gatehouse.js images build --config $ETC_DIR/gatehouse.mjs --image $name"
  done
}

main() {
  parse_args "$@"
  OS_FAMILY=""
  ROOT="${SETUP_HOST_ROOT:-}"
  ROOT="${ROOT%/}"
  detect_os
  set_paths
  if [ "$UNINSTALL" = 1 ]; then
    [ "$DRY_RUN" = 1 ] || [ "$(id -u)" = 0 ] || die "run as root: sudo $0 $*"
    uninstall
    return
  fi
  [ "$DRY_RUN" = 1 ] || [ -z "$ROOT" ] || die "SETUP_HOST_ROOT is for --dry-run only: to install into another root, run setup-host.sh inside it (chroot)"
  [ "$DRY_RUN" = 1 ] || [ "$(id -u)" = 0 ] || die "run as root: sudo $0 $*"
  trap cleanup EXIT
  make_stage
  SECRET_SOURCES=() UNITS_CHANGED=0
  [ "$LIST_PACKAGES" = 1 ] || say "setup-host: gatehouse instance \"${INSTANCE:-default}\" on $OS_NAME ($HOST_ARCH)$([ "$DRY_RUN" = 0 ] || echo ' — dry run: the plan, nothing is changed')"
  [ "$LIST_PACKAGES" = 1 ] || say "paths: app $APP_DIR, config $ETC_DIR, data $DATA_DIR; units $MASTER_UNIT, $WORKER_UNIT"

  if [ "$LIST_PACKAGES" = 1 ]; then
    # Only what the package manager must install, for building a test root ahead of time.
    find_node || NODE_VERSION="to be installed"
    APP_TOOLS=""
    ! src_built || APP_TOOLS="$SRC"
    prepare_config >/dev/null
    plan_packages
    find_missing_packages
    [ ${#MISSING_PACKAGES[@]} -eq 0 ] || printf '%s\n' "${MISSING_PACKAGES[@]}"
    return
  fi

  ensure_node
  prepare_app
  prepare_config
  plan_packages
  find_missing_packages
  if [ ${#MISSING_PACKAGES[@]} -eq 0 ]; then
    say "packages: all present (${WANTED_PACKAGES[*]})"
  else
    say "packages to install: ${MISSING_PACKAGES[*]}"
    install_packages "${MISSING_PACKAGES[@]}"
    [ "$DRY_RUN" = 1 ] || changed "installed packages: ${MISSING_PACKAGES[*]}" all
  fi
  check_virt
  instance_port
  prepare_secrets
  prepare_wrapper
  render_units
  check_staged_config
  say "instance: port $PORT, status context \"$STATUS_CONTEXT\", logs branch ${LOGS_BRANCH/#-/(none)}"

  ensure_user
  install_app
  install_config_files
  apply_systemd
  summary
}

main "$@"
