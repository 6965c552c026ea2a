#!/usr/bin/env bash
# The test command: sets up what is missing, builds, and runs the unit and integration tests
# (integration tests start their own throwaway PostgreSQL and coturn on loopback), then a
# bounded libFuzzer run. Prints a line per phase; the full output goes to
# .build/callctl-test.log, named on failure (CALLCTL_VERBOSE=1 shows it all as it happens).
# Extra arguments go to one `swift test` run (e.g. --filter ServeHTTPTests).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
# promtool checks and unit-tests deploy/prometheus's alert rules; nginx, openssl and curl run
# deploy/nginx/callctl.conf in front of a real serve; dpkg-dev, binutils and lintian build and
# judge the Debian package.
callctl_packages+=(prometheus nginx openssl curl dpkg-dev binutils lintian)
. scripts/phase.sh
phase "setup (packages, Python venv)" callctl_setup
phase "build (debug, with tests)" swift build --build-tests
# The seeded fuzz suites run ten times their base iterations here (about 15 s); raise it for a soak.
export CALLCTL_FUZZ_ITERATIONS=${CALLCTL_FUZZ_ITERATIONS:-10}
# result: the last "Test run with ..." line of the log.
result() { grep -E '^(✔|✘) Test run with' "$callctl_log" | tail -1 >&2 || true; }
if [ "$#" -gt 0 ]; then
    phase "tests ($*)" swift test --skip-build "$@"; result
else
    # Separate processes, so each reported time is the test's own. In one process, tests that
    # hold the runner's few cooperative threads (the CPU-bound seeded fuzz loops; integration
    # tests while `callctl` runs, for up to a minute) make every other test that started wait
    # for a thread, and report the wait as its duration: a 2 ms unit test showed 15 s, a 0.3 s
    # pool test 116 s. The async pool suite, whose every await needs a free thread, runs alone.
    phase "unit tests" swift test --skip-build --filter CallctlUnitTests --skip Fuzz; result
    phase "seeded fuzz suites" swift test --skip-build --filter 'CallctlUnitTests\..*Fuzz'; result
    phase "integration tests" swift test --skip-build --filter CallctlIntegrationTests --skip PostgresPoolTests --skip DebianPackageTests; result
    phase "connection pool tests" swift test --skip-build --filter PostgresPoolTests; result
    # scripts/package-deb.sh needs a release build (both cores, for minutes): after the tests.
    build_package() { rm -rf .build/deb && scripts/package-deb.sh --output-dir .build/deb; }
    phase "Debian package (release build)" build_package
    phase "Debian package tests" env CALLCTL_DEB="$(echo .build/deb/callctl_*.deb)" \
        swift test --skip-build --filter DebianPackageTests; result
fi
# Coverage-guided fuzzing (libFuzzer) of the decoders of untrusted bytes, bounded: 20 s a target.
phase "libFuzzer (${CALLCTL_LIBFUZZER_SECONDS:-20} s a target)" scripts/fuzz.sh "${CALLCTL_LIBFUZZER_SECONDS:-20}"
grep -E '^fuzz [a-z-]+ +(ok|FAILED) ' "$callctl_log" >&2 || true
echo "all passed; the full log is $callctl_log" >&2
