#!/usr/bin/env bash
# Installs what the tests need (system packages and the SIP peers), then runs the whole test
# suite. Idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh
scripts/check-toolchain.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --locked --no-fail-fast "$@" 2>&1 | tee "$log" || status=$?
# The Debian package, on a whole run (no test filter): the dev build `cargo test` has just made
# (no second compile; cargo-deb strips its debug info), installed, checked and removed again
# (scripts/test-package.sh); one more counted result.
if [ $# -eq 0 ]; then
    {
        if deb=$(scripts/package.sh --profile dev --fast | tail -n 1); then
            scripts/test-package.sh "$deb"
        else
            echo "test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out"
            false
        fi
    } 2>&1 | tee -a "$log" || status=1
fi
# The fuzz smoke run, on a whole run: each fuzz target for ~20 s (scripts/fuzz.sh), one counted
# result per target.
if [ $# -eq 0 ]; then
    scripts/fuzz.sh smoke 2>&1 | tee -a "$log" || status=1
fi
# cargo ends on the (empty) doc-test summary; close on the totals of every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
