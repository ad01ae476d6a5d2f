# shellcheck shell=bash disable=SC2034 # globals set here are read by the other parts of setup-host.sh
# The application in /opt/<instance>: the built tree with production dependencies only, made in a
# staging directory beside it and swapped in whole. Sourced by setup-host.sh.
#
# - A built checkout (dist/ and node_modules/ present, as after `npm ci`): the package files and
#   dist/ are copied with the production dependencies npm lists (`npm ls --omit=dev`), then
#   `npm prune --omit=dev --offline` confirms the tree is complete. Nothing is downloaded.
# - A fresh clone: a staging copy of the tracked files runs `npm ci` (which builds through the
#   `prepare` script), then `npm prune --omit=dev` drops the build tools.
# A fingerprint of the inputs is kept in /opt/<instance>/.setup-host-install: an unchanged
# checkout is not copied again.

APP_FILES=(package.json package-lock.json README.md bin dist examples vm-image setup-host.sh setup-host)

src_built() { [ -f "$SRC/dist/cli/main.js" ] && [ -f "$SRC/node_modules/.package-lock.json" ]; }

# The entries of APP_FILES this checkout has (a trimmed tree may lack vm-image/, say).
present_app_files() {
  local f
  for f in "${APP_FILES[@]}"; do [ -e "$SRC/$f" ] && printf '%s\0' "$f"; done
  return 0
}

source_fingerprint() {
  {
    # Native modules are built for one Node.js ABI.
    printf 'node-abi %s\n' "$("$(rp "$NODE_BIN")" -p process.versions.modules 2>/dev/null || echo "$NODE_VERSION")"
    if src_built; then
      (cd "$SRC" && present_app_files | xargs -0 -I{} find {} -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    elif git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
      (cd "$SRC" && git ls-files -z | LC_ALL=C sort -z | xargs -0 sha256sum 2>/dev/null)
    else
      (cd "$SRC" && find . -path ./node_modules -prune -o -path ./.git -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    fi
  } | sha256sum | cut -c1-16
}

# npm with NODE_BIN first on PATH (npm's own `#!/usr/bin/env node` must find it).
run_npm() {
  PATH="$(dirname "$(rp "$NODE_BIN")"):$PATH" "$(rp "$NPM_BIN")" --no-audit --no-fund --loglevel=error "$@"
}

stage_built_tree() {
  local dest="$1" path rel count=0
  (cd "$SRC" && present_app_files | xargs -0 -I{} cp -a --parents {} "$dest"/)
  mkdir -p "$dest/node_modules"
  while IFS= read -r path; do
    rel=${path#"$SRC"/}
    case "$rel" in
      node_modules/*/node_modules/*) ;; # inside a package copied whole
      node_modules/*)
        (cd "$SRC" && cp -a --parents "$rel" "$dest"/)
        count=$((count + 1))
        ;;
    esac
  done < <(
    cd "$SRC" || exit 1
    run_npm ls --omit=dev --parseable --all 2>/dev/null || true # exit 1 on warnings; the list is what counts
  )
  [ "$count" -gt 0 ] || die "npm ls listed no production dependencies in $SRC: run npm ci there first"
  [ ! -d "$SRC/node_modules/.bin" ] || cp -a "$SRC/node_modules/.bin" "$dest/node_modules/"
  (cd "$dest" && run_npm prune --omit=dev --offline) || die "the production dependencies copied from $SRC are incomplete: run npm ci there, then again"
  find "$dest/node_modules/.bin" -xtype l -delete 2>/dev/null || true
  say "app: staged the built tree of $SRC with $count production packages"
}

stage_fresh_tree() {
  local dest="$1"
  if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$SRC" && git ls-files -z | xargs -0 cp -a --parents -t "$dest"/)
  else
    tar -C "$SRC" --exclude=./node_modules --exclude=./.git --exclude=./dist -cf - . | tar -C "$dest" -xf -
  fi
  say "==> build in a staging copy: npm ci (downloads the dependencies, builds dist/)"
  (cd "$dest" && run_npm ci) || die "npm ci failed in the staging copy $dest"
  (cd "$dest" && run_npm prune --omit=dev) || die "npm prune failed in the staging copy $dest"
}

# prepare_app: stage a new app when the checkout differs from what is installed. Sets APP_TOOLS,
# the app to run the config tools from (staged, installed, or the built checkout in a dry run).
prepare_app() {
  local installed
  FINGERPRINT=$(source_fingerprint)
  installed=$(sed -n 's/^fingerprint=//p' "$(rp "$APP_DIR")/.setup-host-install" 2>/dev/null || true)
  STAGED_APP="" APP_TOOLS=""
  if [ "$installed" = "$FINGERPRINT" ]; then
    APP_TOOLS=$(rp "$APP_DIR")
    say "app: $APP_DIR is up to date (fingerprint $FINGERPRINT)"
    return
  fi
  if [ "$DRY_RUN" = 1 ]; then
    if src_built; then
      APP_TOOLS="$SRC"
      say "  would: install the app into $APP_DIR: the built tree of $SRC (dist/ and the production dependencies from npm ls --omit=dev, checked by npm prune --omit=dev --offline)"
    else
      say "  would: build the app in a staging copy of $SRC (npm ci, then npm prune --omit=dev) and install it into $APP_DIR"
    fi
    return
  fi
  [ -d "$(rp /opt)" ] || install -d -m 0755 "$(rp /opt)"
  STAGED_APP=$(mktemp -d "$(rp /opt)/.$PREFIX.staging.XXXXXX")
  if src_built; then stage_built_tree "$STAGED_APP"; else stage_fresh_tree "$STAGED_APP"; fi
  # The staged app must run with this node: native modules built for another one fail here.
  (cd "$STAGED_APP" && "$(rp "$NODE_BIN")" -e "const D = require('better-sqlite3'); new D(':memory:').close()") ||
    die "the staged app does not load its native modules with $NODE_BIN (v$NODE_VERSION): run npm ci in $SRC with that node, or remove $SRC/node_modules to build afresh"
  APP_TOOLS="$STAGED_APP"
}

# install_app: swap the staged app into place.
install_app() {
  [ -n "$STAGED_APP" ] || return 0
  local target
  target=$(rp "$APP_DIR")
  printf 'fingerprint=%s\nsource=%s\ninstalled=%s\n' "$FINGERPRINT" "$SRC" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$STAGED_APP/.setup-host-install"
  chmod 0755 "$STAGED_APP"
  if [ -e "$target" ]; then
    rm -rf "$target.previous"
    mv "$target" "$target.previous"
  fi
  mv "$STAGED_APP" "$target"
  rm -rf "$target.previous"
  STAGED_APP=""
  APP_TOOLS="$target"
  changed "installed the app into $APP_DIR (fingerprint $FINGERPRINT)" all
}
