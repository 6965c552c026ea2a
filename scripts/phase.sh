#!/usr/bin/env bash
# Quiet phases for scripts/demo.sh and scripts/test.sh: each phase prints one progress line
# (its name, then "ok" or "FAILED" and its time) while everything it writes goes to one log
# file. On failure the phase prints the lines that say what failed, the log's last lines, and
# the log's path. Sourced; set CALLCTL_VERBOSE=1 to see everything as it happens instead.

callctl_log=${CALLCTL_LOG:-.build/callctl-$(basename "$0" .sh).log}
mkdir -p "$(dirname "$callctl_log")"
: > "$callctl_log"

# phase NAME COMMAND...: runs COMMAND (in a subshell, so a function's `exit` is caught) with
# its output in the log; returns its status.
phase() {
    local name=$1
    shift
    local started=$SECONDS status=0
    printf '%-34s ' "$name" >&2
    printf '\n===== %s: %s\n' "$name" "$*" >> "$callctl_log"
    if [ "${CALLCTL_VERBOSE:-0}" = 1 ]; then
        echo >&2
        ( "$@" ) 2>&1 | tee -a "$callctl_log" >&2 || status=${PIPESTATUS[0]}
    else
        ( "$@" ) >> "$callctl_log" 2>&1 || status=$?
    fi
    local took=$((SECONDS - started))
    if [ "$status" -eq 0 ]; then
        printf 'ok (%d s)\n' "$took" >&2
        return 0
    fi
    printf 'FAILED (%d s, exit %d)\n' "$took" "$status" >&2
    # What failed: compiler errors, failed tests and issues, fuzzing verdicts.
    sed -n '/^===== '"$name"':/,$p' "$callctl_log" \
        | grep -E 'error:|✘|FAILED|Fatal error|failed after|recorded an issue' | grep -v '^=====' | awk '!seen[$0]++' | head -40 >&2 || true
    echo "--- last lines of the log ---" >&2
    tail -n 25 "$callctl_log" >&2
    echo "--- the whole log: $callctl_log" >&2
    return "$status"
}
