#!/usr/bin/env bash
# Creates the quick start's tiny upstream repository as a bare git repo at DIR: a main branch and
# two pull requests, #1 whose ./test.sh passes and #2 whose ./test.sh fails. Dates and authors are
# fixed, so the commit ids are always the same and the saved deliveries (test-ok, test-broken)
# can name them.
set -euo pipefail
dest=${1:?usage: make-demo-repo.sh DIR}
[ -e "$dest" ] && { echo "make-demo-repo.sh: $dest exists" >&2; exit 1; }

export GIT_AUTHOR_NAME=gatehouse GIT_AUTHOR_EMAIL=demo@gatehouse.invalid GIT_AUTHOR_DATE=2026-01-01T00:00:00Z
export GIT_COMMITTER_NAME=gatehouse GIT_COMMITTER_EMAIL=demo@gatehouse.invalid GIT_COMMITTER_DATE=2026-01-01T00:00:00Z
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git init -q -b main "$work"
cd "$work"
printf '# quickstart\n\nA tiny project for the gatehouse quick start.\n' > README.md
git add README.md
git commit -q -m "Initial commit"

git checkout -q -b pr-ok
printf '#!/bin/sh\necho "running 3 tests"\necho "ok 1 - adds"\necho "ok 2 - subtracts"\necho "ok 3 - divides"\n' > test.sh
chmod +x test.sh
git add test.sh
git commit -q -m "Add tests that pass"

git checkout -q main
git checkout -q -b pr-broken
printf '#!/bin/sh\necho "running 3 tests"\necho "ok 1 - adds"\necho "not ok 2 - subtracts: expected 1, got -1" >&2\nexit 1\n' > test.sh
chmod +x test.sh
git add test.sh
git commit -q -m "Add tests, one of them broken"

git clone -q --bare "$work" "$dest"
git -C "$dest" update-ref refs/pull/1/head "$(git rev-parse pr-ok)"
git -C "$dest" update-ref refs/pull/2/head "$(git rev-parse pr-broken)"
echo "pr #1 (passes): $(git rev-parse pr-ok)"
echo "pr #2 (fails):  $(git rev-parse pr-broken)"
