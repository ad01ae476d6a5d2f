# shellcheck shell=bash disable=SC2034 # globals set here are read by the other parts of setup-host.sh
# The instance's configuration, rendered into $STAGE/etc (installed into /etc/<instance> later):
#   site/           the operator's config (or the one converted from an Ember-CSI `config` file)
#                   and the files its builders upload
#   gatehouse.mjs   what the services load: the site config with this instance's port, data dir,
#                   and (for a named instance) status contexts and logs branch
#   secrets.env     the values of every `{ env }` the config references (mode 0600)
# Sourced by setup-host.sh.

# config_kind FILE: gatehouse (a .ts/.mjs/.js/.json config) or ember (KEY=VALUE lines).
config_kind() {
  case "$1" in
    *.ts | *.mts | *.mjs | *.js | *.cjs | *.json) echo gatehouse ;;
    *)
      if grep -Eq '^[[:space:]]*(export[[:space:]]+)?(SMEE_ID|GH_EMBER_SECRET|NUM_DRIVERS|DRIVER_NAME_[0-9]+)=' "$1"; then
        echo ember
      else
        die "$1: neither a gatehouse config (.ts, .mjs, .js, .json) nor an Ember-CSI config (KEY=VALUE with GH_EMBER_SECRET, DRIVER_NAME_1, ...)"
      fi
      ;;
  esac
}

# gatehouse_node ARGS...: node for the config tools: the one the services will use when it is
# installed already, else (a dry run before Node.js is installed) the node on this PATH.
tools_node() {
  local node
  node=$(rp "${NODE_BIN:-/nonexistent}")
  if [ "$NODE_VERSION" = "to be installed" ] || [ ! -x "$node" ]; then node=$(command -v node) || die "no node to read the config with"; fi
  printf '%s' "$node"
}
gatehouse_node() { "$(tools_node)" "$@"; }

# describe FILE: read the config's facts (see cli/setup-host/describe-config.ts).
describe_config() {
  local file="$1" out kind a b c
  out=$(gatehouse_node "$APP_TOOLS/dist/cli/setup-host/describe-config.js" "$file") || die "the config does not validate (see above); nothing was changed"
  CFG_PORT=8010 CFG_HOST=0.0.0.0 CFG_PUBLIC_URL=- CFG_STATUS_CONTEXT="gatehouse/{builder}" CFG_LOGS_BRANCH=-
  WORKERS=() IMAGES=() IMAGE_ARCHES=() UPLOADS=() HOST_BUILDERS=() SECRET_NAMES=() SECRET_MODES=()
  CFG_VM_DOMAIN_TYPE="" CFG_VM_DOMAIN_GIVEN="" CFG_IMAGES_DIR=images
  while IFS=$'\t' read -r kind a b c; do
    case "$kind" in
      port) CFG_PORT="$a" ;;
      host) CFG_HOST="$a" ;;
      publicUrl) CFG_PUBLIC_URL="$a" ;;
      statusContext) CFG_STATUS_CONTEXT="$a" ;;
      logsBranch) CFG_LOGS_BRANCH="$a" ;;
      worker) WORKERS+=("$a") ;;
      image)
        IMAGES+=("$a $b $c")
        IMAGE_ARCHES+=("$b")
        ;;
      upload) UPLOADS+=("$a") ;;
      hostBuilder) HOST_BUILDERS+=("$a") ;;
      vmDomainType)
        CFG_VM_DOMAIN_TYPE="$a"
        CFG_VM_DOMAIN_GIVEN="$b"
        ;;
      imagesDir) CFG_IMAGES_DIR="$a" ;;
      secret)
        SECRET_NAMES+=("$b")
        SECRET_MODES+=("$c")
        ;;
    esac
  done <<<"$out"
}

# prepare_config: the site files in $STAGE/etc/site, and the config's facts.
prepare_config() {
  local site="$STAGE/etc/site" kind rel
  mkdir -p "$site"
  kind=$(config_kind "$CONFIG")
  PROVIDED_ENV=""
  if [ -z "$APP_TOOLS" ]; then
    note "the app is not built yet, so the config cannot be read in a dry run: the plan assumes port 8010, no workers, no images"
    CFG_PORT=8010 CFG_HOST=0.0.0.0 CFG_PUBLIC_URL=- CFG_STATUS_CONTEXT="gatehouse/{builder}" CFG_LOGS_BRANCH=-
    WORKERS=() IMAGES=() IMAGE_ARCHES=() UPLOADS=() HOST_BUILDERS=() SECRET_NAMES=() SECRET_MODES=()
    CFG_VM_DOMAIN_TYPE="" CFG_VM_DOMAIN_GIVEN="" CFG_IMAGES_DIR=images
    SITE_FILE=$(basename "$CONFIG")
    [ "$kind" != ember ] || SITE_FILE=gatehouse.config.json
    return
  fi
  if [ "$kind" = ember ]; then
    SITE_FILE=gatehouse.config.json
    PROVIDED_ENV="$STAGE/provided.env"
    say "config: $CONFIG is an Ember-CSI config: converting it (gatehouse import-ember-config)"
    gatehouse_node "$APP_TOOLS/bin/gatehouse.js" import-ember-config "$CONFIG" --out "$site/$SITE_FILE" \
      --secrets-out "$PROVIDED_ENV" --arch "$HOST_ARCH" --image-dir "$DATA_DIR/images" || die "could not convert $CONFIG; nothing was changed"
    describe_config "$site/$SITE_FILE"
  else
    SITE_FILE=$(basename "$CONFIG")
    cp "$CONFIG" "$site/$SITE_FILE"
    describe_config "$CONFIG"
    for rel in "${UPLOADS[@]}"; do
      mkdir -p "$site/$(dirname "$rel")"
      cp "$(dirname "$CONFIG")/$rel" "$site/$rel"
    done
  fi
  say "config: port $CFG_PORT, workers: ${WORKERS[*]:-none}, images: ${#IMAGES[@]}, builder uploads: ${#UPLOADS[@]}"
  check_host_builders
}

# check_host_builders: builders on the `host` executor run PR code unisolated; only on request.
check_host_builders() {
  [ "${#HOST_BUILDERS[@]}" -gt 0 ] || return 0
  if [ "$ALLOW_HOST_EXECUTOR" = 1 ]; then
    warn "builders on the host executor (${HOST_BUILDERS[*]}) run pull-request code on this host as the gatehouse user, outside any VM (--allow-host-executor)"
    return 0
  fi
  die "builders on the host executor: ${HOST_BUILDERS[*]}. They would run pull-request code directly on this host as the gatehouse user, which is in the libvirt and kvm groups and holds the worker's secrets. Use executor 'vm' for them, or pass --allow-host-executor if only trusted code reaches them; nothing was changed"
}

# instance_port: the config's port for the default instance; for a named one, --port or the
# config's + 1. Either way, no other installed instance may have it.
instance_port() {
  PORT="$CFG_PORT"
  [ -z "$PORT_OPTION" ] || PORT="$PORT_OPTION"
  if [ -n "$INSTANCE" ] && [ -z "$PORT_OPTION" ]; then PORT=$((CFG_PORT + 1)); fi
  local other used
  for other in "$(rp /etc)"/gatehouse*/instance.env; do
    [ -f "$other" ] || continue
    [ "$(dirname "$other")" != "$(rp "$ETC_DIR")" ] || continue
    used=$(sed -n 's/^PORT=//p' "$other")
    [ "$used" != "$PORT" ] || die "port $PORT is used by the instance in $(dirname "${other#"$ROOT"}"): choose another with --port"
  done
}

# env_file_value FILE NAME: the value of NAME in an env file we wrote (empty when absent).
env_file_value() {
  [ -r "$1" ] || return 0
  (
    set +u
    set -a
    # shellcheck disable=SC1090
    . "$1"
    printf '%s' "${!2-}"
  )
}

env_file_has() { [ -r "$1" ] && grep -q "^$2=" "$1"; }

random_secret() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

# prepare_secrets: $STAGE/etc/secrets.env with every referenced secret. A value comes from this
# process's environment, else the Ember-CSI config, else the installed secrets.env; webhook,
# worker and admin secrets are generated when none has one; others missing stop the run.
prepare_secrets() {
  local existing i name value source missing=() generated=() lines=()
  existing=$(rp "$ETC_DIR/secrets.env")
  if [ "$DRY_RUN" = 1 ] && [ -e "$existing" ] && [ ! -r "$existing" ]; then existing=/nonexistent; fi
  declare -A seen=()
  for i in "${!SECRET_NAMES[@]}"; do
    name="${SECRET_NAMES[$i]}"
    [ -z "${seen[$name]:-}" ] || continue
    seen[$name]=1
    if [ -n "${GIVEN_ENV[$name]:-}" ]; then
      value="${GIVEN_ENV[$name]}" source=environment
    elif [ -n "$PROVIDED_ENV" ] && env_file_has "$PROVIDED_ENV" "$name"; then
      value=$(env_file_value "$PROVIDED_ENV" "$name") source="$CONFIG"
    elif env_file_has "$existing" "$name"; then
      value=$(env_file_value "$existing" "$name") source=kept
    elif [ "${SECRET_MODES[$i]}" = generate ]; then
      value=$(random_secret) source=generated
      generated+=("$name")
    else
      missing+=("$name")
      continue
    fi
    lines+=("$name=$(env_quote "$value")")
    SECRET_SOURCES+=("$name: $source")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    die "the config needs secret(s) ${missing[*]} and none has a value: pass them in the environment, e.g. sudo ${missing[0]}=... $0 $CONFIG$([ -z "$INSTANCE" ] || echo " --instance $INSTANCE"); nothing was changed"
  fi
  {
    echo "# Secrets of gatehouse instance \"${INSTANCE:-default}\", written by setup-host.sh (mode 0600, root only:"
    echo "# systemd reads it for the services). Values given to a later run replace these."
    [ ${#lines[@]} -eq 0 ] || printf '%s\n' "${lines[@]}" | LC_ALL=C sort
  } >"$STAGE/etc/secrets.env"
  chmod 0600 "$STAGE/etc/secrets.env"
  [ ${#SECRET_SOURCES[@]} -eq 0 ] || say "secrets: $(printf '%s, ' "${SECRET_SOURCES[@]}" | sed 's/, $//')"
  if [ ${#generated[@]} -gt 0 ]; then
    note "generated ${generated[*]} (in $ETC_DIR/secrets.env); a generated webhook secret must also be set on the GitHub webhook"
  fi
}

# prepare_wrapper: $STAGE/etc/gatehouse.mjs, the config the services load.
prepare_wrapper() {
  local import="import site from './site/$SITE_FILE';" github="" logs="" vm=""
  LOGS_BRANCH=-
  # The VM domain type: the config's when it names one, else what the virtualization check found.
  if [ -n "$CFG_VM_DOMAIN_TYPE" ]; then
    if [ "$CFG_VM_DOMAIN_GIVEN" = given ]; then
      [ "$CFG_VM_DOMAIN_TYPE" != kvm ] || [ "$DOMAIN_TYPE" = kvm ] || warn "the config sets vm.domainType kvm, but KVM does not look usable here"
      DOMAIN_TYPE="$CFG_VM_DOMAIN_TYPE"
    else
      vm="  vm: { ...site.vm, domainType: '$DOMAIN_TYPE' },"
    fi
  fi
  case "$SITE_FILE" in *.json) import="import site from './site/$SITE_FILE' with { type: 'json' };" ;; esac
  if [ -n "$INSTANCE" ]; then
    STATUS_CONTEXT="$INSTANCE/$CFG_STATUS_CONTEXT"
    github="  github: { ...site.github, statusContext: $(js_quote "$STATUS_CONTEXT") },"
    if [ "$CFG_LOGS_BRANCH" != - ]; then
      LOGS_BRANCH="$CFG_LOGS_BRANCH-$INSTANCE"
      logs="  logs: { ...site.logs, branch: $(js_quote "$LOGS_BRANCH") },"
    fi
  else
    STATUS_CONTEXT="$CFG_STATUS_CONTEXT"
    LOGS_BRANCH="$CFG_LOGS_BRANCH"
  fi
  {
    echo "// Written by setup-host.sh for gatehouse instance \"${INSTANCE:-default}\" and rewritten on every run:"
    echo "// edit site/$SITE_FILE (or the file you gave setup-host.sh) instead. The services load this file:"
    echo "// the site config with this host's port and data directory$([ -z "$INSTANCE" ] || echo ', status contexts and logs branch')."
    echo "$import"
    echo ""
    echo "export default {"
    echo "  ...site,"
    echo "  http: { ...site.http, port: $PORT },"
    echo "  dataDir: $(js_quote "$DATA_DIR"),"
    [ -z "$github" ] || echo "$github"
    [ -z "$logs" ] || echo "$logs"
    [ -z "$vm" ] || echo "$vm"
    echo "};"
  } >"$STAGE/etc/gatehouse.mjs"
  {
    echo "# gatehouse instance \"${INSTANCE:-default}\", written by setup-host.sh: what other runs need to know."
    echo "INSTANCE=${INSTANCE:-default}"
    echo "PORT=$PORT"
    echo "DATA_DIR=$DATA_DIR"
    echo "APP_DIR=$APP_DIR"
  } >"$STAGE/etc/instance.env"
}

# check_staged_config: the services' view of the config (wrapper + secrets) must load, before
# anything is installed.
check_staged_config() {
  [ -n "$APP_TOOLS" ] || return 0
  # shellcheck disable=SC2016 # the inner script's own $1 and $@
  if ! env -i PATH="$PATH" HOME=/nonexistent bash -c 'set -a; . "$1"; set +a; shift; exec "$@"' _ \
    "$STAGE/etc/secrets.env" "$(tools_node)" "$APP_TOOLS/bin/gatehouse.js" check-config "$STAGE/etc/gatehouse.mjs" >"$STAGE/check-config.out" 2>&1; then
    cat "$STAGE/check-config.out" >&2
    die "the instance config does not load; nothing was changed"
  fi
}
