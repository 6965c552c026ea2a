#!/usr/bin/env bash
# The test command: sets up what is missing, builds, and runs the unit and integration tests
# (integration tests start their own throwaway PostgreSQL and coturn on loopback), then a
# bounded libFuzzer run. Prints a line per phase; the full output goes to
# .build/callctl-test.log, named on failure (CALLCTL_VERBOSE=1 shows it all as it happens).
# Extra arguments go to `swift test` (e.g. --filter ServeHTTPTests).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
. scripts/phase.sh
phase "setup (packages, Python venv)" callctl_setup
phase "build (debug, with tests)" swift build --build-tests
# The seeded fuzz suites run ten times their base iterations here (about 15 s); raise it for a soak.
export CALLCTL_FUZZ_ITERATIONS=${CALLCTL_FUZZ_ITERATIONS:-10}
phase "tests (unit and integration)" swift test --skip-build "$@"
grep -E '^✔ Test run with|^✘ Test run with' "$callctl_log" | tail -1 >&2 || true
# Coverage-guided fuzzing (libFuzzer) of the decoders of untrusted bytes, bounded: 20 s a target.
phase "libFuzzer (${CALLCTL_LIBFUZZER_SECONDS:-20} s a target)" scripts/fuzz.sh "${CALLCTL_LIBFUZZER_SECONDS:-20}"
grep -E '^fuzz ' "$callctl_log" >&2 || true
echo "all passed; the full log is $callctl_log" >&2
