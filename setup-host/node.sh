# shellcheck shell=bash disable=SC2034 # globals set here are read by the other parts of setup-host.sh
# Node.js >= 20 for the services. Sourced by setup-host.sh.
#
# An existing node >= 20 (PATH, /usr/local/bin, /usr/bin) is used as it is. Otherwise it comes from
# the distribution where that one is recent enough (Fedora, CentOS Stream 10, the nodejs:22/20
# module streams of EL 9). Debian 12 and Ubuntu 24.04 ship Node.js 18, too old: there it comes
# from NodeSource's apt repository (Node.js 22), added with its signing key, as NodeSource
# documents; or install a node >= 20 yourself first (then this step is skipped).
#
# Sets NODE_BIN, NODE_VERSION and NPM_BIN.

NODE_MIN=20
NODE_LTS=22

# find_node: a node >= NODE_MIN in the target root (SETUP_HOST_NODE first, for tests).
find_node() {
  NODE_BIN="" NODE_VERSION="" NODE_TOO_OLD=""
  local candidates=() c v
  [ -z "${SETUP_HOST_NODE:-}" ] || candidates+=("$SETUP_HOST_NODE")
  if [ -z "$ROOT" ] && c=$(command -v node 2>/dev/null); then candidates+=("$c"); fi
  candidates+=(/usr/local/bin/node /usr/bin/node)
  for c in "${candidates[@]}"; do
    [ -x "$(rp "$c")" ] || continue
    v=$("$(rp "$c")" -p 'process.versions.node' 2>/dev/null) || continue
    if version_ge "$v" "$NODE_MIN"; then
      NODE_BIN="$c" NODE_VERSION="$v"
      return 0
    fi
    NODE_TOO_OLD="$c is $v"
  done
  return 1
}

# find_npm: the npm that goes with NODE_BIN.
find_npm() {
  NPM_BIN=""
  local c
  for c in "$(dirname "$NODE_BIN")/npm" /usr/local/bin/npm /usr/bin/npm; do
    if [ -x "$(rp "$c")" ]; then
      NPM_BIN="$c"
      return 0
    fi
  done
  return 1
}

# The EL 9 module stream to enable: 22 when offered, else 20.
el9_node_stream() {
  local streams
  streams=$(dnf -q module list nodejs 2>/dev/null | awk '$1 == "nodejs" { print $2 }')
  if grep -qx 22 <<<"$streams"; then echo 22; elif grep -qx 20 <<<"$streams"; then echo 20; else return 1; fi
}

add_nodesource_repo() {
  install -d -m 0755 /etc/apt/keyrings
  curl -fsSL "https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key" | gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg
  printf 'deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_%s.x nodistro main\n' "$NODE_LTS" \
    >/etc/apt/sources.list.d/nodesource.list
}

ensure_node() {
  if find_node; then
    find_npm || [ "$OS_FAMILY" = debian ] || install_packages npm
    find_npm || [ "$DRY_RUN" = 1 ] || die "npm not found beside $NODE_BIN: install the npm that goes with it"
    say "node: $NODE_BIN (v$NODE_VERSION)${NPM_BIN:+, npm: $NPM_BIN}"
    return
  fi
  [ -z "$NODE_TOO_OLD" ] || note "$NODE_TOO_OLD, older than $NODE_MIN"
  [ "$OFFLINE" = 0 ] || [ "$OS_FAMILY" != debian ] || die "Node.js >= $NODE_MIN is needed and --offline cannot fetch it: install it first"
  case "$OS_FAMILY:$OS_MAJOR" in
    el:9)
      local stream=22
      [ "$DRY_RUN" = 1 ] || stream=$(el9_node_stream) || die "no nodejs:22 or nodejs:20 module stream offered by the repositories"
      act "enable the Node.js module stream nodejs:$stream (EL 9's default stream is too old)" dnf -y module enable "nodejs:$stream"
      act "install Node.js" dnf -y install nodejs npm
      ;;
    el:* | fedora:*)
      act "install Node.js from $OS_NAME" dnf -y install nodejs npm
      ;;
    debian:*)
      note "$OS_NAME ships Node.js 18; gatehouse needs >= $NODE_MIN: adding NodeSource's Node.js $NODE_LTS repository (install a node >= $NODE_MIN on PATH first to skip this)"
      act "install what adding a repository needs" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends curl gnupg ca-certificates
      act "add the NodeSource apt repository (node_$NODE_LTS.x, key in /etc/apt/keyrings/nodesource.gpg)" add_nodesource_repo
      act "refresh package lists" env DEBIAN_FRONTEND=noninteractive apt-get update -q
      act "install Node.js $NODE_LTS (npm included)" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs
      ;;
  esac
  if [ "$DRY_RUN" = 1 ]; then
    NODE_BIN=/usr/bin/node NODE_VERSION="to be installed" NPM_BIN=/usr/bin/npm
    return
  fi
  changed "installed Node.js" all
  find_node || die "Node.js >= $NODE_MIN is still missing after installing it"
  find_npm || die "npm not found after installing Node.js"
  say "node: $NODE_BIN (v$NODE_VERSION)"
}
