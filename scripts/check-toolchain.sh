#!/usr/bin/env bash
# Parla needs Rust 1.88 or newer (rustup's stable toolchain); Debian's packaged cargo is older.
# With --lint-tools it also makes sure of rustfmt and clippy (the CI gates in .ci/run), adding
# them with rustup when they are missing.
set -euo pipefail
if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo is not installed: install Rust with rustup (https://rustup.rs), then run this again." >&2
    exit 1
fi
version=$(rustc --version | awk '{print $2}')
major=${version%%.*}; rest=${version#*.}; minor=${rest%%.*}
if [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 88 ]; }; then
    echo "Rust $version is too old: Parla needs 1.88 or newer (rustup update stable)." >&2
    exit 1
fi

[ "${1:-}" = "--lint-tools" ] || exit 0

# `cargo fmt` and `cargo clippy` are rustup components, not part of every toolchain install.
missing=()
cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
if [ ${#missing[@]} -gt 0 ]; then
    if command -v rustup >/dev/null 2>&1; then
        echo "check-toolchain: adding ${missing[*]}"
        rustup component add "${missing[@]}"
    else
        echo "check-toolchain: ${missing[*]} missing and no rustup to add them" >&2
        exit 1
    fi
fi
