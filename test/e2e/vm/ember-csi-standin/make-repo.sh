#!/usr/bin/env bash
# Creates the stand-in for embercsi/ember-csi as a bare git repo at DIR, for the Ember-CSI example's
# test: a master branch with this directory's Dockerfile (FROM busybox), plugin stand-in and
# csi-sanity stand-in, and two pull requests: #1 adds NodeGetCapabilities (csi-sanity passes), #2
# drops DeleteVolume (csi-sanity fails). Dates and authors are fixed, so the commit ids are always
# the same and the saved deliveries examples/ember-csi/test-ok and test-broken can name them. After a
# change to the stand-in's files, put the ids this prints into examples/ember-csi/pr-ok.json and
# pr-broken.json (pull_request.head.sha) and sign them again:
#   GH_EMBER_SECRET=gatehouse-ember-example gatehouse sign --secret-env GH_EMBER_SECRET --event pull_request pr-ok.json > test-ok
set -euo pipefail
dest=${1:?usage: make-repo.sh DIR}
[ -e "$dest" ] && { echo "make-repo.sh: $dest exists" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

export GIT_AUTHOR_NAME=gatehouse GIT_AUTHOR_EMAIL=ember-standin@gatehouse.invalid GIT_AUTHOR_DATE=2026-01-01T00:00:00Z
export GIT_COMMITTER_NAME=gatehouse GIT_COMMITTER_EMAIL=ember-standin@gatehouse.invalid GIT_COMMITTER_DATE=2026-01-01T00:00:00Z
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git init -q -b master "$work"
cd "$work"
git config core.fileMode true
mkdir -p standin tools
cp "$here/Dockerfile" Dockerfile
install -m 0755 "$here/standin/plugin.sh" standin/plugin.sh
install -m 0755 "$here/csi-sanity" tools/csi-sanity
printf 'CreateVolume\nDeleteVolume\n' > standin/capabilities
printf '# ember-csi (stand-in)\n\nWhat gatehouse tests build in place of embercsi/ember-csi.\n' > README.md
git add -A
git commit -q -m "Initial commit"

git checkout -q -b pr-ok
printf 'CreateVolume\nDeleteVolume\nNodeGetCapabilities\n' > standin/capabilities
git commit -q -am "Add NodeGetCapabilities"

git checkout -q master
git checkout -q -b pr-broken
printf 'CreateVolume\nNodeGetCapabilities\n' > standin/capabilities
git commit -q -am "Rework volume deletion"

git clone -q --bare "$work" "$dest"
git -C "$dest" update-ref refs/pull/1/head "$(git rev-parse pr-ok)"
git -C "$dest" update-ref refs/pull/2/head "$(git rev-parse pr-broken)"
echo "pr #1 (passes): $(git rev-parse pr-ok)"
echo "pr #2 (fails):  $(git rev-parse pr-broken)"
