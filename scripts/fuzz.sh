#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (swiftc -sanitize=fuzzer) of the decoders that read
# untrusted bytes: Pusher WebSocket frames (the hub), Laravel .env files, STUN/TURN datagrams
# (the probes). Each target is the product's own source files plus a harness in fuzz/ that
# checks invariants beyond "no crash" (typed refusals, stable re-encoding, documented bounds);
# a crash, a failed invariant, a hang over 5 s or 2 GB of memory fails the run, and the input
# is copied to fuzz/regressions/<target>/ (reproduce with .build-libfuzzer/<target> <file>).
# Every run first replays fuzz/corpus/<target>/ (the seed corpus) and fuzz/regressions/<target>/;
# new inputs libFuzzer finds go to a temporary directory and are never kept automatically.
# The seeded suites in Tests/CallctlUnitTests/Fuzz* cover the same decoders with fixed seeds and
# replay the same kept inputs under `swift test`.
#
# Usage: scripts/fuzz.sh [seconds per target]    (default 20; run after `swift build`, whose
#        debug build provides swift-crypto's objects for the STUN target)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
out=.build-libfuzzer
mkdir -p "$out"
modules="$(swift build --show-bin-path)"

compile() {
    local name=$1
    shift
    swiftc -sanitize=fuzzer -parse-as-library -module-name "Fuzz_${name//-/_}" "$@" -o "$out/$name"
}
crypto_objects=$(find "$modules"/{Crypto,CryptoBoringWrapper,CCryptoBoringSSL,CCryptoBoringSSLShims,CXKCP,CXKCPShims}.build -name '*.o')
echo "fuzz: compiling the targets with -sanitize=fuzzer ..." >&2
compile pusher-frame fuzz/PusherFrameFuzzer.swift Sources/PusherProtocol/{PusherJSON,PusherJSONParser,PusherMessage}.swift
compile env-file fuzz/EnvFileFuzzer.swift Sources/CallctlConfig/{EnvFile,EnvParser,SmallFile}.swift
# shellcheck disable=SC2086
compile stun-message fuzz/StunMessageFuzzer.swift Sources/ICE/*.swift -I "$modules/Modules" $crypto_objects

# The kept inputs are replayed first on every run: fuzz/corpus/<target> (the seeds) and
# fuzz/regressions/<target> (every input that once failed). libFuzzer writes what it finds to
# the first directory only, a temporary one, so a run never changes the repository's corpus.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
for target in pusher-frame env-file stun-message; do
    log="$out/$target.log"
    mkdir -p "$work/$target" fuzz/regressions/"$target"
    rm -f "$out/$target-"*
    # Swift's backtracer would take the crash signal from libFuzzer, which then keeps no input.
    if SWIFT_BACKTRACE=enable=no "$out/$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/$target-" "$work/$target" fuzz/corpus/"$target" fuzz/regressions/"$target" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
        printf 'fuzz %-13s ok      %9s runs in %s s, %s, %s kept inputs replayed, %s new ones (not kept)\n' "$target" "$runs" \
            "$seconds" "$coverage" "$(find fuzz/corpus/"$target" fuzz/regressions/"$target" -type f ! -name '.*' | wc -l)" \
            "$(find "$work/$target" -type f | wc -l)"
    else
        status=1
        input=$(ls "$out/$target-"* 2>/dev/null | head -1)
        printf 'fuzz %-13s FAILED  see %s; the input is %s\n' "$target" "$log" "$input"
        if [ -n "$input" ]; then
            cp "$input" fuzz/regressions/"$target"/
            echo "fuzz: kept it as fuzz/regressions/$target/$(basename "$input"): commit it once fixed; every run replays it" >&2
        fi
        grep -E 'ERROR|Fatal error|Precondition|deadly signal|timeout' "$log" | head -5 || true
    fi
done
exit "$status"
