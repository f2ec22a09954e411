#!/usr/bin/env bash
# Installs the system packages Parla needs to build and run (Debian/Ubuntu), only those missing:
# build tools, the ALSA, PulseAudio and Opus headers, and the libraries and font the window needs.
# Idempotent and non-interactive; works as root or through sudo.
set -euo pipefail

packages=(
    build-essential pkg-config libasound2-dev libpulse-dev libopus-dev
    libxkbcommon-dev libwayland-dev libx11-dev
    libxcursor1 libxi6 libxrandr2 libx11-xcb1 libxkbcommon-x11-0 fonts-dejavu-core
)

"$(dirname "$0")/apt-install.sh" install-app-deps "${packages[@]}"
