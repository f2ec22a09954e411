#!/usr/bin/env bash
# The README's screenshots: runs the desktop tests (which write target/screenshots/*.png under
# Xvfb, see tests/desktop.rs) and puts the main screens side by side, light and dark, in
# docs/screenshots/. Needs ImageMagick's montage (scripts/install-bench-deps.sh has it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" != "--no-test" ]]; then
    cargo test --test desktop
fi
shots=target/screenshots
out=docs/screenshots
mkdir -p "$out"
montage "$shots"/{dialer,active-call,history,settings}.png \
    -tile 4x1 -geometry +8+0 -background none "$out/light.png"
montage "$shots"/{dialer-dark,contacts-dark,history-dark,settings-dark}.png \
    -tile 4x1 -geometry +8+0 -background none "$out/dark.png"
cp "$shots/incoming-popup.png" "$out/incoming-popup.png"
cp "$shots/compact.png" "$out/compact.png"
ls -l "$out"
