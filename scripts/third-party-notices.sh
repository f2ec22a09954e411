#!/usr/bin/env bash
# third-party-notices.sh: regenerates assets/debian/third-party-notices.txt, the licence texts
# and copyright notices of the crates the parla binary is built from, which the .deb installs
# as /usr/share/doc/parla/third-party-notices.txt. Run it after a change to Cargo.lock (a crate
# added, removed or updated) and commit what it writes; tests/third_party_notices.rs fails
# while the file misses a crate of the graph or lists one that left it.
# cargo-about reads about.toml (accepted licences, target, dev-dependencies left out) and renders
# assets/debian/third-party-notices.hbs. It runs offline: licence texts come from the crates'
# own files in cargo's registry cache, or SPDX's standard text for a crate that ships none.
# Installs cargo-about (a pinned version) when it is missing or another version; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo_about_version=0.9.3
out=assets/debian/third-party-notices.txt

if [ "$(cargo about --version 2>/dev/null)" != "cargo-about $cargo_about_version" ]; then
    echo "third-party-notices: installing cargo-about $cargo_about_version"
    # The binary is behind the `cli` feature since cargo-about 0.9.
    cargo install cargo-about --version "$cargo_about_version" --features cli --locked --quiet
fi

# The crates' sources (their licence files) into cargo's cache; nothing to do when they are there.
cargo fetch --locked --target x86_64-unknown-linux-gnu
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# --frozen: Cargo.lock as it is, and no network (no licence texts fetched from the crates'
# repositories). --fail: a crate whose licence cannot be determined is an error.
cargo about generate --frozen --fail --manifest-path Cargo.toml --config about.toml \
    --output-file "$tmp" assets/debian/third-party-notices.hbs
mv "$tmp" "$out"
trap - EXIT
chmod 644 "$out"
echo "third-party-notices: wrote $out ($(grep "^  - " "$out" | sort -u | wc -l) crates)"
