#!/usr/bin/env bash
# Installs what the tests need (system packages and the SIP peers), then runs the whole test
# suite. Idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh
scripts/check-toolchain.sh

cargo test --workspace --locked "$@"
