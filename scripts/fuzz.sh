#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (swiftc -sanitize=fuzzer) of the decoders that read
# untrusted bytes: Pusher WebSocket frames (the hub), Laravel .env files, STUN/TURN datagrams
# (the probes). Each target is the product's own source files plus a harness in fuzz/ that
# checks invariants beyond "no crash" (typed refusals, stable re-encoding, documented bounds);
# a crash, a failed invariant, a hang over 5 s or 2 GB of memory fails the run, and the input
# is kept under .build-libfuzzer/ to reproduce it: .build-libfuzzer/<target> <file>.
# The seeded suites in Tests/CallctlUnitTests/Fuzz* cover the same decoders with fixed seeds.
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

# seed NAME FILE TEXT: one seed input (printf escapes) for a target's fresh corpus.
seed() { mkdir -p "$corpus/$1"; printf "$3" > "$corpus/$1/$2"; }
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
seed pusher-frame subscribe '{"event":"pusher:subscribe","data":{"channel":"private-appointments.1","auth":"key:0123abcd"}}'
seed pusher-frame presence '{"event":"pusher:subscribe","data":{"channel":"presence-tenant.1.editing.appointment.1","auth":"k:s","channel_data":"{\\"user_id\\":\\"7\\",\\"user_info\\":{\\"name\\":\\"Ada\\"}}"}}'
seed pusher-frame client-event '{"event":"client-typing","channel":"private-appointments.1","data":"{\\"a\\":[1,2.5,-3e2,true,null,\\"\\\\u00e9\\"]}"}'
seed pusher-frame ping '{"event":"pusher:ping","data":{}}'
seed env-file laravel 'APP_NAME=Clinic\nexport DB_HOST=db.internal\nDB_PASSWORD='"'"'p@ss #x'"'"'\nKEY="k-${APP_NAME}"\nMULTI="a\nb"\nESC="t\\\\tq\\\\"x\\\\""\n# c\nURL=postgres://u@h/db#f\n'
seed stun-message binding-request '\x00\x01\x00\x08\x21\x12\xa4\x42abcdefghijkl\x80\x22\x00\x04test'
seed stun-message allocate-error '\x01\x13\x00\x20\x21\x12\xa4\x42abcdefghijkl\x00\x09\x00\x10\x00\x00\x04\x01Unauthorized\x00\x14\x00\x05north\x00\x00\x00'
seed stun-message xor-mapped '\x01\x01\x00\x0c\x21\x12\xa4\x42abcdefghijkl\x00\x20\x00\x08\x00\x01\xa1\x47\xe1\x12\xa6\x43'
seed stun-message channel-data '\x40\x00\x00\x05hello\x00\x00\x00'

status=0
for target in pusher-frame env-file stun-message; do
    log="$out/$target.log"
    # Swift's backtracer would take the crash signal from libFuzzer, which then keeps no input.
    if SWIFT_BACKTRACE=enable=no "$out/$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/$target-" "$corpus/$target" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
        printf 'fuzz %-13s ok      %9s runs in %s s, %s, corpus %s inputs\n' "$target" "$runs" "$seconds" "$coverage" \
            "$(find "$corpus/$target" -type f | wc -l)"
    else
        status=1
        printf 'fuzz %-13s FAILED  see %s; the input is %s\n' "$target" "$log" "$(ls "$out/$target-"* 2>/dev/null | head -1)"
        grep -E 'ERROR|Fatal error|Precondition|deadly signal|timeout' "$log" | head -5 || true
    fi
done
exit "$status"
