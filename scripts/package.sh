#!/usr/bin/env bash
# package.sh [--profile PROFILE] [cargo-deb options...]: builds the Debian package with
# cargo-deb into target/debian/parla_<version>-1_<arch>.deb and prints its path on the last line.
# The profile defaults to `release`. scripts/test.sh packages the `dev` build the tests have just
# made, which costs no second compile (a profile of its own would compile every crate again,
# about 4 minutes here); cargo-deb strips the debug info. cargo-deb 3.8 warns that the dev
# profile is for testing only, which is what it is used for. Other arguments go to cargo-deb
# (`--fast`: lighter compression).
# Installs cargo-deb (a pinned version) when it is missing or another version; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo_deb_version=3.8.0
profile=release
args=()
while [ $# -gt 0 ]; do
    case $1 in
        --profile) profile=${2:?--profile needs a name}; shift 2 ;;
        --profile=*) profile=${1#--profile=}; shift ;;
        *) args+=("$1"); shift ;;
    esac
done

if [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb $cargo_deb_version" ]; then
    echo "package: installing cargo-deb $cargo_deb_version"
    cargo install cargo-deb --version "$cargo_deb_version" --locked --quiet
fi
# dpkg-shlibdeps (dpkg-dev) fills in `$auto` of the package's Depends.
command -v dpkg-shlibdeps >/dev/null 2>&1 || scripts/apt-install.sh package dpkg-dev

# Only the .deb of this run is left, so that `target/debian/parla_*.deb` names one file.
rm -f target/debian/parla_*.deb
# cargo-deb prints the path of the package it wrote on its last line.
deb=$(cargo deb --locked --profile "$profile" -p parla "${args[@]}" | tail -n 1)
[ -f "$deb" ] || { echo "package: cargo-deb wrote no package ($deb)" >&2; exit 1; }
echo "$deb"
