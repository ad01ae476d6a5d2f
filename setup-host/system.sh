# shellcheck shell=bash disable=SC2034 # globals set here are read by the other parts of setup-host.sh
# The service user, systemd (enable, start, restart) and uninstalling. Sourced by setup-host.sh.

have_systemctl() { command -v systemctl >/dev/null 2>&1; }
# systemd runs this system (not a chroot or a container without it).
systemd_running() { [ -d /run/systemd/system ] && [ -z "$ROOT" ]; }

# The group libvirt runs QEMU in (qemu.conf's default for this OS).
qemu_group() {
  case "$OS_FAMILY" in
    debian) echo libvirt-qemu ;;
    *) echo qemu ;;
  esac
}

ensure_user() {
  local g
  if [ -z "$(uid_of "$SERVICE_USER")" ]; then
    act "create the system user $SERVICE_USER (home $DATA_DIR, no login shell)" \
      useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin \
      --comment "gatehouse CI" ${ROOT:+--root "$ROOT"} "$SERVICE_USER"
    [ "$DRY_RUN" = 1 ] || changed "created user $SERVICE_USER" none
  fi
  # QEMU's group too: a restore agent's socket is QEMU's, mode 0775 (restore-agent.ts); without it
  # a restore makes the guest the build's own over SSH, about a second slower.
  for g in libvirt kvm "$(qemu_group)"; do
    if [ -z "$(gid_of "$g")" ]; then
      if [ "$DRY_RUN" = 1 ]; then
        say "  would: add $SERVICE_USER to group $g (once the packages create it)"
      else
        warn "group $g does not exist: $SERVICE_USER not added to it"
      fi
      continue
    fi
    awk -F: -v g="$g" -v u="$SERVICE_USER" '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) found = 1 } END { exit !found }' "$(rp /etc/group)" && continue
    act "add $SERVICE_USER to group $g" usermod -a -G "$g" ${ROOT:+--root "$ROOT"} "$SERVICE_USER"
    [ "$DRY_RUN" = 1 ] || changed "added $SERVICE_USER to group $g" all
  done
}

# systemctl_offline ARGS...: systemctl for enabling, which works without a running systemd too.
enable_unit() {
  local unit="$1"
  if [ "$DRY_RUN" = 1 ]; then
    say "  would: enable $unit"
    return
  fi
  have_systemctl || {
    warn "systemctl not found: $unit not enabled"
    return
  }
  systemctl is-enabled -q "$unit" 2>/dev/null && return
  say "==> enable $unit"
  systemctl enable -q "$unit" || die "systemctl enable $unit failed"
  changed "enabled $unit" none
}

disable_unit() {
  local unit="$1"
  have_systemctl || return 0
  if systemd_running && systemctl is-active -q "$unit" 2>/dev/null; then act "stop $unit" systemctl stop "$unit"; fi
  if systemctl is-enabled -q "$unit" 2>/dev/null; then act "disable $unit" systemctl disable -q "$unit"; fi
}

# start_or_restart UNIT NEEDS_RESTART
start_or_restart() {
  local unit="$1" restart="$2"
  if [ "$DRY_RUN" = 1 ]; then
    say "  would: start $unit$([ "$restart" = 0 ] || echo ' (restart if running)')"
    return
  fi
  if ! systemctl is-active -q "$unit"; then
    act "start $unit" systemctl start "$unit"
    changed "started $unit" none
  elif [ "$restart" = 1 ]; then
    act "restart $unit (its configuration changed)" systemctl restart "$unit"
    changed "restarted $unit" none
  fi
}

# The worker instances enabled now (gatehouse-worker@NAME.service), from the wants symlinks.
enabled_workers() {
  local link
  for link in "$(rp /etc/systemd/system)"/*.wants/"${WORKER_UNIT%@.service}"@*.service; do
    [ -L "$link" ] || continue
    basename "$link"
  done | sort -u
}

apply_systemd() {
  local w unit
  if [ "$DRY_RUN" = 0 ] && [ "$UNITS_CHANGED" = 1 ] && systemd_running; then
    act "reload systemd" systemctl daemon-reload
  fi
  for unit in $LIBVIRT_UNITS; do enable_unit "$unit"; done
  enable_unit "$MASTER_UNIT"
  for w in "${WORKERS[@]}"; do enable_unit "${WORKER_UNIT%.service}$w.service"; done
  # Workers no longer in the config.
  if [ "$DRY_RUN" = 0 ]; then
    while IFS= read -r unit; do
      [ -n "$unit" ] || continue
      w=${unit#"${WORKER_UNIT%.service}"}
      w=${w%.service}
      if ! printf '%s\n' "${WORKERS[@]}" | grep -qx -- "$w"; then
        disable_unit "$unit"
        changed "disabled $unit (no longer in the config)" none
      fi
    done < <(enabled_workers)
  fi
  if [ "$NO_START" = 1 ]; then
    local pending=()
    [ "$RESTART_MASTER" = 0 ] || pending+=("$MASTER_UNIT")
    if [ "$RESTART_WORKERS" = 1 ]; then
      for w in "${WORKERS[@]}"; do pending+=("${WORKER_UNIT%.service}$w.service"); done
    fi
    if [ "$DRY_RUN" = 0 ] && [ ${#pending[@]} -gt 0 ]; then
      say "not starting anything (--no-start); what changed affects: ${pending[*]} (restart them if running)"
    else
      say "not starting anything (--no-start)"
    fi
    return
  fi
  if [ "$DRY_RUN" = 0 ] && ! systemd_running; then
    die "systemd is not running here, so nothing can be started: run again with --no-start, or on the host itself"
  fi
  for unit in $LIBVIRT_UNITS; do start_or_restart "$unit" 0; done
  start_or_restart "$MASTER_UNIT" "$RESTART_MASTER"
  for w in "${WORKERS[@]}"; do start_or_restart "${WORKER_UNIT%.service}$w.service" "$RESTART_WORKERS"; done
}

uninstall() {
  local unit others
  say "setup-host: uninstalling gatehouse instance \"${INSTANCE:-default}\"$([ "$DRY_RUN" = 0 ] || echo ' (dry run: nothing is changed)')"
  [ "$DRY_RUN" = 1 ] || [ -z "$ROOT" ] || die "SETUP_HOST_ROOT is for --dry-run only"
  if [ "$DRY_RUN" = 0 ]; then
    while IFS= read -r unit; do [ -z "$unit" ] || disable_unit "$unit"; done < <(enabled_workers)
    disable_unit "$MASTER_UNIT"
  else
    say "  would: stop and disable $MASTER_UNIT and every ${WORKER_UNIT%.service}NAME.service"
  fi
  remove_path "/etc/systemd/system/$MASTER_UNIT" unit
  remove_path "/etc/systemd/system/$WORKER_UNIT" unit
  if [ "$DRY_RUN" = 0 ] && systemd_running; then systemctl daemon-reload; fi
  remove_path "$APP_DIR" app
  if [ "$PURGE" = 1 ]; then
    remove_path "$ETC_DIR" "config and secrets"
    remove_path "$DATA_DIR" "data"
    others=$(find "$(rp /etc)" -maxdepth 2 -path "*/gatehouse*/instance.env" ! -path "$(rp "$ETC_DIR")/*" 2>/dev/null | head -n1)
    if [ -z "$others" ] && [ -n "$(uid_of "$SERVICE_USER")" ]; then
      act "remove the user $SERVICE_USER (no other instance uses it)" userdel ${ROOT:+--root "$ROOT"} "$SERVICE_USER"
    fi
  else
    say "kept $ETC_DIR (config, secrets) and $DATA_DIR (database, logs): --purge removes them"
  fi
  say "packages (node, libvirt, qemu, ...) are left installed"
  if [ "$DRY_RUN" = 0 ]; then
    if [ ${#CHANGES[@]} -eq 0 ]; then say "nothing to remove: instance \"${INSTANCE:-default}\" is not installed"; else say "uninstalled instance \"${INSTANCE:-default}\""; fi
  fi
}
