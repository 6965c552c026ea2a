#!/usr/bin/env bash
# The test command: sets up what is missing, builds, and runs the unit and integration tests
# (integration tests start their own throwaway PostgreSQL and coturn on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
callctl_setup
swift build --build-tests
# The seeded fuzz suites run ten times their base iterations here (about 15 s); raise it for a soak.
export CALLCTL_FUZZ_ITERATIONS=${CALLCTL_FUZZ_ITERATIONS:-10}
if [ "$#" -gt 0 ]; then
    swift test --skip-build "$@"
else
    # Separate processes, so each reported time is the test's own. In one process, tests that
    # hold the runner's few cooperative threads (the CPU-bound seeded fuzz loops; integration
    # tests while `callctl` runs, for up to a minute) make every other test that started wait
    # for a thread, and report the wait as its duration: a 2 ms unit test showed 15 s, a 0.3 s
    # pool test 116 s. The async pool suite, whose every await needs a free thread, runs alone.
    swift test --skip-build --filter CallctlUnitTests --skip Fuzz
    swift test --skip-build --filter 'CallctlUnitTests\..*Fuzz'
    swift test --skip-build --filter CallctlIntegrationTests --skip PostgresPoolTests
    swift test --skip-build --filter PostgresPoolTests
fi
# Coverage-guided fuzzing (libFuzzer) of the decoders of untrusted bytes, bounded: 20 s a target.
scripts/fuzz.sh "${CALLCTL_LIBFUZZER_SECONDS:-20}"
