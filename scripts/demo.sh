#!/usr/bin/env bash
# The main job end to end: sets up what is missing, builds callctl, and runs `callctl demo`
# on a throwaway local PostgreSQL (pass --keep to leave it running). Set-up and build print a
# line each (their output goes to .build/callctl-demo.log, named on failure); the demo's own
# steps print as they run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
# nginx and openssl serve the demo's recordings through deploy/nginx/callctl.conf's secure_link
# location (and put nginx in front of the daemon with --keep).
callctl_packages+=(nginx openssl)
. scripts/phase.sh
phase "setup (packages, Python venv)" callctl_setup
phase "build (debug)" swift build --product callctl
exec .build/debug/callctl demo "$@"
