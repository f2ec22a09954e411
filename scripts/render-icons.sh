#!/usr/bin/env bash
# Renders the app icon (assets/icons/hicolor/scalable/apps/parla.svg) into the PNG sizes of the
# hicolor theme layout, and the raw RGBA pixels the window icon embeds (assets/icons/parla-64.rgba:
# 64x64, 8 bits per channel, straight alpha; the binary needs no PNG decoder). Run it after
# changing the SVG and commit what it writes. Needs rsvg-convert (librsvg2-bin) and ImageMagick.
set -euo pipefail
cd "$(dirname "$0")/../assets/icons"

svg=hicolor/scalable/apps/parla.svg
for tool in rsvg-convert convert; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "render-icons: $tool not found (apt-get install librsvg2-bin imagemagick)" >&2
        exit 1
    }
done
for size in 16 24 32 48 64 128 256; do
    dir="hicolor/${size}x${size}/apps"
    mkdir -p "$dir"
    rsvg-convert --width "$size" --height "$size" --format png --output "$dir/parla.png" "$svg"
done
convert hicolor/64x64/apps/parla.png -depth 8 RGBA:parla-64.rgba
[ "$(stat -c %s parla-64.rgba)" -eq $((64 * 64 * 4)) ] || {
    echo "render-icons: parla-64.rgba is not 64x64 RGBA" >&2
    exit 1
}
echo "render-icons: wrote the PNGs under assets/icons/hicolor and assets/icons/parla-64.rgba"
