#!/usr/bin/env bash
# The main job end to end: sets up what is missing, builds callctl, and runs `callctl demo`
# on a throwaway local PostgreSQL (pass --keep to leave it running).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
callctl_setup
swift build --product callctl
exec .build/debug/callctl demo "$@"
