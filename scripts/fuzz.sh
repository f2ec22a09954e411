#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz, libFuzzer, nightly) of what Parla reads from outside:
# one target per kind of input (fuzz/fuzz_targets: SIP datagrams, SDP, RTP/RTCP, the control
# protocol, CSV and vCard import, phone numbers, message-summary, dialog-info, PIDF).
#
#   scripts/fuzz.sh smoke [TARGET...]     each target for FUZZ_SECONDS (20) s; prints one cargo-style
#                                         `test result:` line per target (scripts/test.sh counts them)
#   scripts/fuzz.sh long N [TARGET...]    each target for N executions, one after the other;
#                                         prints executions, exec/s and crashes per target
#   scripts/fuzz.sh build                 builds the targets only
#
# The seeds in fuzz/corpus/<target> (committed, small) are read, never written: what the fuzzer
# adds goes to fuzz/corpus-long/<target> (git-ignored), a crashing input to
# fuzz/artifacts/<target>/ (copy it into fuzz/corpus/<target> with its fix and regression test).
# The SIP target also reads the torture messages of ../shared/torture when that folder exists.
# Built with -O and debug assertions (overflow checks) and without a sanitizer: the code is safe
# Rust (unsafe_code = forbid), so the sanitizer would only halve the executions.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

targets_all=(sip_datagram sdp rtp control csv_import vcard_import phone_number message_summary dialog_info pidf)
mode=${1:-smoke}
shift || true
runs=0
if [ "$mode" = long ]; then
    runs=${1:?usage: scripts/fuzz.sh long N [TARGET...]}
    shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${targets_all[@]}")
seconds=${FUZZ_SECONDS:-20}

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: cargo-fuzz on a nightly toolchain is needed (scripts/install-test-deps.sh installs it)" >&2
    [ "$mode" = smoke ] && echo "test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out"
    exit 1
fi

build_flags=(-O -a -s none)
if ! cargo +nightly fuzz build "${build_flags[@]}"; then
    echo "fuzz: the targets do not build" >&2
    [ "$mode" = smoke ] && echo "test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out"
    exit 1
fi
[ "$mode" = build ] && exit 0
case $mode in smoke | long) ;; *) echo "usage: scripts/fuzz.sh smoke|long N|build [TARGET...]" >&2; exit 2 ;; esac

bin_dir=target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release
status=0
for t in "${targets[@]}"; do
    work=corpus-long/$t
    mkdir -p "$work" "artifacts/$t" "corpus/$t"
    dirs=("$work" "corpus/$t")
    if [ "$t" = sip_datagram ] && [ -d ../../shared/torture ]; then
        dirs+=(../../shared/torture)
    fi
    if [ "$mode" = smoke ]; then
        limit=(-max_total_time="$seconds")
    else
        limit=(-runs="$runs")
    fi
    log=$(mktemp)
    rc=0
    "$bin_dir/$t" "${dirs[@]}" "${limit[@]}" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    crash=$(grep -E -m 1 '^(==[0-9]+== ERROR|thread .* panicked|SUMMARY: libFuzzer)' "$log" || true)
    # 72: libFuzzer's exit on SIGINT (a long run cut short by hand), not a crash.
    note=
    if [ "$rc" -eq 0 ]; then
        crashes=0
    elif [ "$rc" -eq 72 ] && [ "$mode" = long ]; then
        crashes=0
        note=" (interrupted)"
    else
        crashes=1
        status=1
    fi
    echo "fuzz $t: ${execs:-?} executions, ${speed:-?} exec/s, $crashes crashes, $(find "$work" -type f | wc -l) corpus files$note"
    if [ "$crashes" -ne 0 ]; then
        echo "fuzz $t: exit $rc: ${crash:-see below}"
        grep -E -A 12 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -n 40 || true
    fi
    if [ "$mode" = smoke ]; then
        if [ "$rc" -eq 0 ]; then
            echo "test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out"
        else
            echo "test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out"
        fi
    fi
    rm -f "$log"
done
exit "$status"
