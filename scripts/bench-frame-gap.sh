#!/usr/bin/env bash
# The window's longest gap between frames while a 10,000-contact company directory is synced:
# Parla (release build) under Xvfb with PARLA_FRAME_PROBE, a profile whose line has a 10,000-row
# CSV directory; the probe redraws continuously, asks for a sync 2 s after the first frame and
# logs frames per second and the longest gap. Prints the longest gap while the sync ran and
# over the whole run. Needs Xvfb (scripts/install-test-deps.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --bin parla >/dev/null
work=$(mktemp -d)
trap 'kill "${parla_pid:-}" "${xvfb_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

python3 - "$work/company.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("First Name,Last Name,Phone,Company\n")
    for i in range(10000):
        f.write(f"Name{i},Surname{i % 997},+31 20 {2000000 + i:07d},Company {i % 50}\n")
PY
mkdir -p "$work/profile"
cat > "$work/profile/config.toml" <<TOML
[app]
language = "en"

[audio]
input = "null"
output = "null"

[[accounts]]
id = "work"
username = "2001"
domain = "127.0.0.1"
register = false
region = "NL"
[accounts.directory]
path = "$work/company.csv"

[[accounts]]
id = "local"
username = "parla"
domain = "localhost"
register = false
enabled = false
TOML

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" 2>/dev/null &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.05; done
export DISPLAY=":$(cat "$work/display")"

PARLA_FRAME_PROBE="$work/probe.log" XDG_RUNTIME_DIR="$work" \
    target/release/parla --profile "$work/profile" >"$work/parla.log" 2>&1 &
parla_pid=$!
deadline=$((SECONDS + 90))
until grep -q "^note .*sync_requested" "$work/probe.log" 2>/dev/null &&
    [ "$(grep -c 'directory_sync' "$work/probe.log")" -ge 2 ]; do
    [ $SECONDS -lt $deadline ] || { echo "no sync seen; probe log:"; cat "$work/probe.log"; exit 1; }
    sleep 0.2
done
sleep 2
kill "$parla_pid"; wait "$parla_pid" 2>/dev/null || true

awk '
/^note .*sync_requested/ { split($2, a, "="); asked = a[2] }
/^note .*directory_sync/ { split($2, a, "="); if (asked != "" && a[2] >= asked) done = a[2] }
/^frames/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    t = v["t_ms"]; gap = v["longest_gap_ms"]; n++
    if (gap > worst) worst = gap
    rows[n] = t " " gap " " v["count"]
}
END {
    for (i = 1; i <= n; i++) {
        split(rows[i], r, " ")
        # a second overlapping the sync: it ends after the request and starts before the answer + 1 s
        if (asked != "" && r[1] >= asked && r[1] - 1000 <= done + 1000) {
            if (r[2] > during) during = r[2]
            if (min_fps == "" || r[3] < min_fps) min_fps = r[3]
        }
    }
    printf "sync requested at %d ms, done at %d ms (%d ms)\n", asked, done, done - asked
    printf "longest frame gap while the sync ran: %.1f ms (fewest frames in such a second: %d)\n", during, min_fps
    printf "longest frame gap over the whole run: %.1f ms\n", worst
}' "$work/probe.log"
