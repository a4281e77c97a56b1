#!/usr/bin/env bash
# Builds the .deb, unpacks it into a temporary root with dpkg -x, and runs what it installed:
# the binary's --version and check-config on the bundled demo config, plus the desktop and
# AppStream files' own validators where they are installed.
set -euo pipefail
build="$1"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
passed=0
failed=0
check() {
    local what="$1"
    shift
    if "$@" >"$root/out.txt" 2>&1; then
        passed=$((passed + 1))
        echo "PASS: $what"
    else
        failed=$((failed + 1))
        echo "FAIL: $what"
        cat "$root/out.txt"
    fi
}

(cd "$build" && cpack -G DEB -B "$root/package" >"$root/cpack.log" 2>&1) || { cat "$root/cpack.log"; exit 1; }
deb="$(ls "$root"/package/switchyard_*.deb)"
check "the package's dependencies are runtime packages, not -dev ones" \
    bash -c "dpkg-deb -f '$deb' Depends | grep -q libqt6core6 && ! dpkg-deb -f '$deb' Depends | grep -q -- '-dev'"
dpkg-deb -x "$deb" "$root/installed"
bin="$root/installed/usr/bin/switchyard"
check "the installed binary reports its version and Qt's" bash -c "'$bin' --version | grep -q 'switchyard 0\\..* (Qt 6\\.'"
check "check-config accepts the bundled demo config" "$bin" check-config "$root/installed/usr/share/switchyard/demo.json"
check "check-config accepts the bundled default config" "$bin" check-config "$root/installed/usr/share/switchyard/default.json"
for file in usr/share/applications/dev.switchyard.Switchyard.desktop \
            usr/share/metainfo/dev.switchyard.Switchyard.metainfo.xml \
            usr/share/icons/hicolor/scalable/apps/dev.switchyard.Switchyard.svg \
            usr/share/icons/hicolor/16x16/apps/dev.switchyard.Switchyard.png \
            usr/share/icons/hicolor/256x256/apps/dev.switchyard.Switchyard.png \
            usr/share/man/man1/switchyard.1 \
            usr/lib/systemd/user/switchyard.service; do
    check "installs $file" test -s "$root/installed/$file"
done
check "the systemd unit restarts the headless gateway on failure" \
    bash -c "grep -q '^ExecStart=/usr/bin/switchyard --headless' '$root/installed/usr/lib/systemd/user/switchyard.service' && grep -q '^Restart=on-failure' '$root/installed/usr/lib/systemd/user/switchyard.service'"
unit="$root/installed/usr/lib/systemd/user/switchyard.service"
check "the systemd unit reloads on SIGHUP and reads an optional environment file" \
    bash -c "grep -q '^ExecReload=/bin/kill -HUP \\\$MAINPID' '$unit' && grep -q '^EnvironmentFile=-%h/.config/switchyard/env' '$unit'"
check "the systemd user unit names no system-only target" \
    bash -c "! grep -Eq 'network-online.target|multi-user.target' '$unit'"
if command -v appstreamcli >/dev/null; then
    check "the AppStream metainfo validates" appstreamcli validate --no-net --pedantic \
        "$root/installed/usr/share/metainfo/dev.switchyard.Switchyard.metainfo.xml"
fi
if command -v desktop-file-validate >/dev/null; then
    check "the desktop file validates" desktop-file-validate "$root/installed/usr/share/applications/dev.switchyard.Switchyard.desktop"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
