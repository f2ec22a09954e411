#!/usr/bin/env bash
# Installs the system packages Parla needs to build and run (Debian/Ubuntu), only those missing.
set -euo pipefail
packages=(build-essential pkg-config libasound2-dev libopus-dev libxkbcommon-dev libwayland-dev libx11-dev
    libxcursor1 libxi6 libxrandr2 libx11-xcb1 libxkbcommon-x11-0 fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
