#!/usr/bin/env bash
# Installs what Parla needs to build and run, then starts it. Arguments go to parla, e.g.
#   scripts/run.sh --headless --profile ~/parla-test
# Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-app-deps.sh
scripts/check-toolchain.sh

cargo run --release --locked --bin parla -- "$@"
