#!/usr/bin/env bash
# Parla needs Rust 1.88 or newer (rustup's stable toolchain); Debian's packaged cargo is older.
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
