#!/usr/bin/env bash
# Installs what a fresh Debian machine with Swift lacks for callctl: libpq and libcurl headers,
# PostgreSQL's server programs and coturn. Sourced by scripts/demo.sh and scripts/test.sh.
set -euo pipefail

callctl_packages=(libpq-dev libcurl4-openssl-dev postgresql coturn)

callctl_missing_packages() {
    local missing=()
    for package in "${callctl_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    echo "${missing[@]:-}"
}

callctl_setup() {
    local missing
    missing=$(callctl_missing_packages)
    if [ -n "$missing" ]; then
        if [ "$(id -u)" -eq 0 ]; then
            echo "setup: installing $missing" >&2
            DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
            # shellcheck disable=SC2086
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
        else
            echo "setup: missing packages: $missing; install them with: sudo apt-get install $missing" >&2
            exit 69
        fi
    fi
    # The Debian packages start a system-wide PostgreSQL and coturn; callctl starts its own
    # throwaway servers on free ports, so the system ones are left as they are.
    command -v swift >/dev/null || { echo "setup: swift is not on PATH; install Swift 6 first" >&2; exit 69; }
    callctl_python_peers
}

# A Python venv at .venv/ with the third-party clients the tests and benchmarks use as judges
# (the official Pusher server library, websockets, the Pusher clients asyncpusher and
# sockudo-python, the PeerJS client peerjs-py on aiortc);
# recreated when the requirements change.
callctl_python_peers() {
    local requirements=scripts/requirements-test.txt nodeps=scripts/requirements-test-nodeps.txt
    if [ -x .venv/bin/python ] && cat "$requirements" "$nodeps" | cmp -s - .venv/requirements.txt; then
        return
    fi
    echo "setup: creating the Python venv .venv/ for test peers" >&2
    if ! python3 -m venv .venv >&2; then
        echo "setup: python3 -m venv failed; install python3-venv (apt-get install python3-venv)" >&2
        exit 69
    fi
    .venv/bin/pip install -q --disable-pip-version-check -r "$requirements" >&2
    .venv/bin/pip install -q --disable-pip-version-check --no-deps -r "$nodeps" >&2
    cat "$requirements" "$nodeps" > .venv/requirements.txt
}
