#!/bin/sh
# Parla vs baresip over an impaired network (loss, jitter, reordering), scored with PESQ.
# Needs root (network namespaces), espeak-ng, sox, baresip and the test venv with `pesq`
# (scripts/install-test-deps.sh). Prints the table and writes it to target/impairment.txt.
#   PARLA_IMPAIR_RUNS=3 scripts/bench-impairment.sh     # average three seeds per row
#   PARLA_IMPAIR_ROWS=pcmu scripts/bench-impairment.sh  # only the G.711 rows
set -eu
cd "$(dirname "$0")/.."
cargo bench --bench impairment "$@"
echo
echo "table written to target/impairment.txt"
