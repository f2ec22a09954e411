#!/usr/bin/env bash
# Installs the system packages the desktop benchmark (`cargo bench --bench desktop`) needs on top
# of scripts/install-test-deps.sh: the two desktop softphones it compares Parla with (Twinkle,
# Linphone desktop), the X tools it finds and captures windows with (Xvfb, xdotool, xwd,
# ImageMagick), the sound server the apps get as sound card (PulseAudio with null sinks) and
# the tools that keep each app offline (unshare, ip). Debian 12. Idempotent and non-interactive: only missing packages are
# installed, and `apt-get update` runs only if something is missing. Works as root or through sudo.
#
# These are big (Qt, KDE frameworks): they are not CI test dependencies.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
    twinkle linphone-desktop
    xvfb xdotool imagemagick x11-utils x11-apps dbus
    pulseaudio pulseaudio-utils libasound2-plugins
    util-linux iproute2
)

"$(dirname "$0")/apt-install.sh" install-bench-deps "${packages[@]}"

for tool in twinkle linphone Xvfb xdotool xwd import convert dbus-daemon pulseaudio pactl unshare ip; do
    command -v "$tool" >/dev/null 2>&1 || { echo "install-bench-deps: $tool not found" >&2; exit 1; }
done
echo "install-bench-deps: ready"
