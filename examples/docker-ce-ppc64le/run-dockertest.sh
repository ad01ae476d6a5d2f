#!/usr/bin/env bash
# run-dockertest.sh DISTRO: run the dockertest suite for one distribution, one gotestsum run per
# test (JUnit XML in results/DISTRO/TEST.xml) and each test's exit code in results/DISTRO/rc.txt
# ("<Test> <rc>" lines, which write-errors.sh turns into errors.txt). Fails when any test failed.
# DOCKERTEST_DIR: the suite (default test/); GOTESTSUM: the gotestsum to run (default on PATH).
set -uo pipefail

distro=${1:?usage: run-dockertest.sh DISTRO}
tests=(TestDistro TestDistroInstallPackage TestDistroPackageCheck)
suite=${DOCKERTEST_DIR:-test}
out="$PWD/results/$distro"
gotestsum=${GOTESTSUM:-gotestsum}
[[ $gotestsum == */* && $gotestsum != /* ]] && gotestsum="$PWD/$gotestsum"
mkdir -p "$out"
: > "$out/rc.txt"

failed=0
for test in "${tests[@]}"; do
  (
    cd "$suite" &&
      DISTRO_NAME=${distro%%-*} DISTRO_VERS=${distro#*-} PACKAGES_DIR="$OLDPWD/packages" \
        "$gotestsum" --format standard-verbose --junitfile "$out/$test.xml" -- -count=1 -run "^${test}\$" ./...
  )
  rc=$?
  echo "$test $rc" >> "$out/rc.txt"
  ((rc == 0)) || failed=1
done
exit "$failed"
