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
    # Separate processes, so each reported time is the test's own: in one process, the tests
    # that hold the runner's few cooperative threads (the CPU-bound seeded fuzz loops; the
    # integration tests while `callctl` runs) make every other test that started wait for a
    # thread, and report the wait as its duration (a 2 ms unit test showed 15-30 s).
    swift test --skip-build --filter CallctlUnitTests --skip Fuzz
    swift test --skip-build --filter 'CallctlUnitTests\..*Fuzz'
    swift test --skip-build --filter CallctlIntegrationTests
fi
# Coverage-guided fuzzing (libFuzzer) of the decoders of untrusted bytes, bounded: 20 s a target.
scripts/fuzz.sh "${CALLCTL_LIBFUZZER_SECONDS:-20}"
