#!/usr/bin/env bash
# apt-install.sh WHO PACKAGE...: installs the Debian packages that are missing, as root or
# through sudo, non-interactively; `apt-get update` runs only when something is missing.
# WHO names the calling script in the messages. Shared by the install-*-deps.sh scripts.
set -euo pipefail
who=$1
shift

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for p in "$@"; do
    installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "$who: all packages present"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=(env DEBIAN_FRONTEND=noninteractive)
elif command -v sudo >/dev/null 2>&1; then
    # On a terminal sudo may ask for the password; elsewhere (CI) it must not wait for one.
    if [ -t 0 ]; then
        as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
    else
        as_root=(sudo -n env DEBIAN_FRONTEND=noninteractive)
    fi
else
    echo "$who: need root or sudo to install ${missing[*]}" >&2
    exit 1
fi
echo "$who: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
