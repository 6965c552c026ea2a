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
swift test --skip-build "$@"
# Coverage-guided fuzzing (libFuzzer) of the decoders of untrusted bytes, bounded: 20 s a target.
scripts/fuzz.sh "${CALLCTL_LIBFUZZER_SECONDS:-20}"
