# shellcheck shell=bash disable=SC2034 # globals set here are read by the other parts of setup-host.sh
# Helpers for setup-host.sh: messages, dry-run aware actions, change tracking, idempotent file
# installation. Sourced by setup-host.sh; not run on its own.

say() { printf '%s\n' "$*"; }
note() { printf 'setup-host: %s\n' "$*" >&2; }
warn() { printf 'setup-host: warning: %s\n' "$*" >&2; }
die() {
  printf 'setup-host: error: %s\n' "$*" >&2
  exit 1
}

# The path of $1 inside the target root (SETUP_HOST_ROOT, default /).
rp() { printf '%s%s' "$ROOT" "$1"; }

# What changed in this run, in words, and which services must restart because of it.
CHANGES=()
RESTART_MASTER=0
RESTART_WORKERS=0

# changed WHAT AFFECTS: record a change; AFFECTS is master, workers, all or none.
changed() {
  CHANGES+=("$1")
  case "$2" in
    master) RESTART_MASTER=1 ;;
    workers) RESTART_WORKERS=1 ;;
    all) RESTART_MASTER=1 RESTART_WORKERS=1 ;;
  esac
}

# act DESCRIPTION CMD...: run CMD (or only print it in a dry run), and record the change.
act() {
  local what="$1"
  shift
  if [ "$DRY_RUN" = 1 ]; then
    say "  would: $what: $*"
  else
    say "==> $what"
    "$@"
  fi
}

# The numeric uid/gid of a user/group in the target root (chown must not use the host's names).
uid_of() { awk -F: -v n="$1" '$1 == n { print $3; exit }' "$(rp /etc/passwd)" 2>/dev/null; }
gid_of() { awk -F: -v n="$1" '$1 == n { print $3; exit }' "$(rp /etc/group)" 2>/dev/null; }

# owner_ids USER:GROUP → uid:gid in the target root ("" when either is unknown yet).
owner_ids() {
  local u g
  u=$(uid_of "${1%%:*}")
  g=$(gid_of "${1##*:}")
  [ -n "$u" ] && [ -n "$g" ] && printf '%s:%s' "$u" "$g"
}

# ensure_dir PATH MODE USER:GROUP LABEL
ensure_dir() {
  local path="$1" mode="$2" owner="$3" label="$4" target ids
  target=$(rp "$path")
  if [ ! -d "$target" ]; then
    if [ "$DRY_RUN" = 1 ]; then
      say "  would: create $path ($label, $mode $owner)"
      return
    fi
    install -d -m "$mode" "$target"
    changed "created $path" none
  fi
  [ "$DRY_RUN" = 1 ] && return
  ids=$(owner_ids "$owner") || true
  if [ "$(stat -c %a "$target")" != "${mode#0}" ]; then
    chmod "$mode" "$target"
    changed "mode of $path set to $mode" none
  fi
  if [ -n "$ids" ] && [ "$(stat -c %u:%g "$target")" != "$ids" ]; then
    chown "$ids" "$target"
    changed "owner of $path set to $owner" none
  fi
}

# put_file SRC DEST MODE USER:GROUP AFFECTS: install SRC as DEST (in the target root) when its
# content, mode or owner differ; prints new/changed/unchanged in a dry run.
put_file() {
  local src="$1" dest="$2" mode="$3" owner="$4" affects="$5" target ids state=unchanged
  target=$(rp "$dest")
  ids=$(owner_ids "$owner") || true
  if [ ! -e "$target" ]; then
    state=new
  elif ! cmp -s "$src" "$target" || [ "$(stat -c %a "$target")" != "${mode#0}" ] ||
    { [ -n "$ids" ] && [ "$(stat -c %u:%g "$target")" != "$ids" ]; }; then
    state=changed
  fi
  if [ "$DRY_RUN" = 1 ]; then
    say "  $(printf '%-9s' "$state") $dest ($mode $owner)"
    return
  fi
  [ "$state" = unchanged ] && return
  # (install -d would also reset an existing directory's mode to 0755)
  [ -d "$(dirname "$target")" ] || install -d "$(dirname "$target")"
  # Write beside the target and rename: a reader never sees half a file.
  install -m "$mode" "$src" "$target.setup-host.tmp"
  [ -z "$ids" ] || chown "$ids" "$target.setup-host.tmp"
  mv -f "$target.setup-host.tmp" "$target"
  changed "$state $dest" "$affects"
}

# remove_path PATH LABEL: delete a file or tree in the target root, if present.
remove_path() {
  local target
  target=$(rp "$1")
  [ -e "$target" ] || [ -L "$target" ] || return 0
  act "remove $2 $1" rm -rf "$target"
  [ "$DRY_RUN" = 1 ] || changed "removed $1" none
}

# env_quote VALUE: a double-quoted value that bash and systemd's EnvironmentFile both read back.
env_quote() {
  local v="$1"
  v=${v//\\/\\\\}
  v=${v//\"/\\\"}
  v=${v//\$/\\\$}
  v=${v//\`/\\\`}
  printf '"%s"' "$v"
}

# js_quote VALUE: a single-quoted JavaScript string.
js_quote() {
  local v="$1"
  v=${v//\\/\\\\}
  v=${v//\'/\\\'}
  printf "'%s'" "$v"
}

# version_ge A B: true when version A >= B (numeric, dot-separated).
version_ge() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}
