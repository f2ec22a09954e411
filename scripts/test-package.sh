#!/usr/bin/env bash
# test-package.sh DEB: installs the Debian package on this machine, checks what it installed
# (`parla --version`, the desktop entry with desktop-file-validate, the link handlers in the
# desktop database, the icons, the manual page, the third-party notices), runs lintian on it,
# then removes it again.
# Needs root or sudo. Ends with one line in cargo's format, `test result: ok. 1 passed; 0
# failed; ...`, which scripts/test.sh counts; exits 1 if a check failed.
# A `parla` package installed before the test is left alone: the test is skipped (ignored).
set -euo pipefail
deb=${1:?usage: test-package.sh target/debian/parla_VERSION_ARCH.deb}
[ -f "$deb" ] || { echo "test-package: no such file $deb" >&2; exit 1; }
case $deb in /*) ;; *) deb=./$deb ;; esac # apt-get takes a path, not a package name

result() { # passed failed ignored
    echo "test result: $([ "$2" -eq 0 ] && echo ok || echo FAILED). $1 passed; $2 failed; $3 ignored; 0 measured; 0 filtered out"
}

if [ "$(id -u)" -eq 0 ]; then
    as_root=(env DEBIAN_FRONTEND=noninteractive)
elif sudo -n true 2>/dev/null; then
    as_root=(sudo -n env DEBIAN_FRONTEND=noninteractive)
else
    echo "test-package: skipped, needs root or sudo without a password"
    result 0 0 1
    exit 0
fi
if dpkg-query -W -f='${Status}' parla 2>/dev/null | grep -q "ok installed"; then
    echo "test-package: skipped, a parla package is installed already (dpkg -r parla to test)"
    result 0 0 1
    exit 0
fi

failures=()
check() { # description command...
    local description=$1
    shift
    if "$@"; then
        echo "test-package: ok   $description"
    else
        echo "test-package: FAIL $description"
        failures+=("$description")
    fi
}

remove() {
    "${as_root[@]}" apt-get remove -y -qq parla >/dev/null 2>&1 || "${as_root[@]}" dpkg -r parla >/dev/null 2>&1 || true
}
trap remove EXIT

version=$(dpkg-deb -f "$deb" Version)
version=${version%-*}
if "${as_root[@]}" apt-get install -y -qq --no-install-recommends "$deb" >/tmp/parla-test-package.log 2>&1; then
    echo "test-package: ok   apt-get install $deb"
    check "parla --version says parla $version" \
        test "$(/usr/bin/parla --version 2>&1)" = "parla $version"
    check "desktop-file-validate /usr/share/applications/parla.desktop" \
        bash -c '! desktop-file-validate /usr/share/applications/parla.desktop 2>&1 | grep .'
    for scheme in tel sip sips callto; do
        check "the desktop database names parla.desktop for x-scheme-handler/$scheme" \
            grep -q "^x-scheme-handler/$scheme=.*parla.desktop" /usr/share/applications/mimeinfo.cache
    done
    for icon in scalable/apps/parla.svg {16x16,24x24,32x32,48x48,64x64,128x128,256x256}/apps/parla.png; do
        check "icon /usr/share/icons/hicolor/$icon" test -s "/usr/share/icons/hicolor/$icon"
    done
    check "manual page" test -s /usr/share/man/man1/parla.1.gz
    check "third-party notices /usr/share/doc/parla/third-party-notices.txt" \
        grep -q '^  - sonora ' /usr/share/doc/parla/third-party-notices.txt
else
    cat /tmp/parla-test-package.log
    failures+=("apt-get install $deb")
fi
remove
check "apt-get remove parla" bash -c '! dpkg-query -W -f="\${Status}" parla 2>/dev/null | grep -q "ok installed" && [ ! -e /usr/bin/parla ]'

if command -v lintian >/dev/null 2>&1; then
    # lintian warns on stderr that it runs as root; the tags on stdout are what counts.
    if report=$(lintian --fail-on none "$deb" 2>/tmp/parla-test-package.log); then
        tags=$(echo "$report" | grep -E '^[EW]: ' || true)
        check "lintian: no errors or warnings${tags:+: $tags}" test -z "$tags"
    else
        cat /tmp/parla-test-package.log
        check "lintian runs" false
    fi
else
    check "lintian is installed (scripts/install-test-deps.sh)" false
fi

if [ ${#failures[@]} -eq 0 ]; then
    result 1 0 0
else
    printf 'test-package: failed: %s\n' "${failures[@]}"
    result 0 1 0
    exit 1
fi
