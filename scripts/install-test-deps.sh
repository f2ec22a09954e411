#!/usr/bin/env bash
# Installs the system packages the tests need (Debian 12): build tools, the SIP peers of the test
# bench (Kamailio, with its presence modules for message-waiting; baresip, SIPp, dnsmasq),
# sox/openssl, espeak-ng (speech for the echo, noise and impairment measurements), libspeexdsp
# (one of the echo-canceller candidates the benchmark compares), opus-tools (opusinfo/opusdec check exported Ogg Opus), PulseAudio/Xvfb for the
# device and GUI tests, linphonec (the attended-transfer peer, run in a private network namespace
# made with unshare and ip), dunst plus a
# StatusNotifierWatcher for the notification and tray tests, gnome-keyring and secret-tool for the
# keyring tests, lintian for the .deb test, nftables (the NAT router of tests/nat.rs), tcpdump
# (tests/srtp.rs reads the RTP on the wire), rtkit and polkitd (real-time scheduling as a desktop
# user gets it, crates/parla-media/tests/rtkit.rs). Idempotent and non-interactive: only missing
# packages are installed, and `apt-get update` runs only if something is missing. Works as root
# or through sudo.
#
# It also makes sure no packaged Kamailio/dnsmasq service is running: the tests start their own
# on free ports of 127.0.0.1 and must never talk to a system instance.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
    build-essential pkg-config libasound2-dev libpulse-dev libopus-dev
    libxkbcommon-dev libwayland-dev libx11-dev
    kamailio kamailio-tls-modules kamailio-extra-modules kamailio-presence-modules
    baresip-core sip-tester dnsmasq-base
    linphone-cli iproute2 util-linux
    sox libsox-fmt-all openssl opus-tools
    pulseaudio pulseaudio-utils libasound2-plugins alsa-utils
    xvfb dbus xdotool imagemagick
    libxcursor1 libxi6 libxrandr2 libx11-xcb1 libxkbcommon-x11-0 fonts-dejavu-core
    xdg-utils desktop-file-utils lintian
    haskell-status-notifier-item-utils dunst libnotify-bin
    gnome-keyring libsecret-tools
    python3 python3-venv curl
    libspeexdsp-dev espeak-ng
    nftables tcpdump
    rtkit polkitd
)

"$(dirname "$0")/apt-install.sh" install-test-deps "${packages[@]}"

# Root for the service and venv steps below.
if [ "$(id -u)" -eq 0 ]; then
    as_root=(env DEBIAN_FRONTEND=noninteractive)
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n env DEBIAN_FRONTEND=noninteractive)
else
    echo "install-test-deps: need root or sudo" >&2
    exit 1
fi

# Stop and disable the packaged services if they exist. Only the services' own PID files are
# used: Kamailio/dnsmasq instances started by tests are never touched.
have_systemd() {
    [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

stop_service() {
    local svc=$1 pidfile=$2
    if have_systemd; then
        if systemctl list-unit-files "$svc.service" >/dev/null 2>&1; then
            "${as_root[@]}" systemctl disable --now "$svc.service" >/dev/null 2>&1 || true
        fi
    fi
    if [ -x "/etc/init.d/$svc" ]; then
        if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "install-test-deps: stopping the packaged $svc service"
            "${as_root[@]}" "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
        fi
        if command -v update-rc.d >/dev/null 2>&1; then
            "${as_root[@]}" update-rc.d "$svc" disable >/dev/null 2>&1 || true
        fi
    fi
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "install-test-deps: the packaged $svc (pid $(cat "$pidfile")) is still running" >&2
        exit 1
    fi
}

stop_service kamailio /run/kamailio/kamailio.pid
stop_service dnsmasq /run/dnsmasq/dnsmasq.pid

# Radicale (PyPI), the CardDAV server of the shared-directory tests, in its own venv at a fixed
# place the test bench looks in (parla-testbench/src/radicale.rs).
radicale_venv=/opt/parla-test/venv
if ! "$radicale_venv/bin/radicale" --version >/dev/null 2>&1; then
    echo "install-test-deps: installing Radicale into $radicale_venv"
    "${as_root[@]}" mkdir -p "$(dirname "$radicale_venv")"
    "${as_root[@]}" /usr/bin/python3 -m venv "$radicale_venv"
    "${as_root[@]}" "$radicale_venv/bin/pip" install --quiet --disable-pip-version-check radicale
fi
"$radicale_venv/bin/radicale" --version >/dev/null 2>&1 \
    || { echo "install-test-deps: radicale not found in $radicale_venv" >&2; exit 1; }
# PESQ (ITU-T P.862, PyPI `pesq`, with numpy) scores received speech in the impairment
# benchmark and its smoke test.
if ! "$radicale_venv/bin/python" -c 'import pesq, numpy' >/dev/null 2>&1; then
    echo "install-test-deps: installing pesq into $radicale_venv"
    "${as_root[@]}" "$radicale_venv/bin/pip" install --quiet --disable-pip-version-check numpy pesq
fi

# cargo-fuzz (crates.io) and rustup's nightly toolchain it builds with: the fuzz smoke run of
# scripts/test.sh (scripts/fuzz.sh). Installed for the user running this, not as root.
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "install-test-deps: no nightly Rust toolchain for the fuzz targets (rustup toolchain install nightly)" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "install-test-deps: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

for tool in kamailio kamcmd baresip linphonec unshare ip tc sipp sox openssl espeak-ng dnsmasq status-notifier-watcher dunst; do
    command -v "$tool" >/dev/null 2>&1 || { echo "install-test-deps: $tool not found" >&2; exit 1; }
done
echo "install-test-deps: ready"
