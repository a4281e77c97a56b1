#!/usr/bin/env bash
# Builds the .deb, unpacks it into a temporary root with dpkg -x, and checks what it installed as
# Debian would: the binary runs and is stripped (its debug information in the -dbgsym .ddeb), the
# man pages are real pages, gzipped, that man renders without a warning, /usr/share/doc/switchyard
# holds the README, copyright and changelog, the licence is the same everywhere, and the desktop
# and AppStream files pass their own validators without a warning.
set -euo pipefail
build="$1"
source_dir="$(cd "$(dirname "$0")/../.." && pwd)"
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
            usr/share/man/man1/switchyard.1.gz \
            usr/share/man/man5/switchyard.json.5.gz \
            usr/share/doc/switchyard/README.md \
            usr/share/doc/switchyard/configuration.md \
            usr/share/doc/switchyard/copyright \
            usr/share/doc/switchyard/changelog.gz \
            usr/lib/systemd/user/switchyard.service; do
    check "installs $file" test -s "$root/installed/$file"
done

check "the binary is stripped: no debug sections, no symbol table" \
    bash -c "! readelf -S '$bin' | grep -Eq '\\.debug_|\\.symtab'"
check "the debug information ships apart, in switchyard-dbgsym" \
    bash -c "ls '$root'/package/switchyard-dbgsym_*.ddeb >/dev/null && dpkg-deb -c '$root'/package/switchyard-dbgsym_*.ddeb | grep -q '/usr/lib/debug/.build-id/.*\\.debug'"
for page in man1/switchyard.1 man5/switchyard.json.5; do
    file="$root/installed/usr/share/man/$page.gz"
    check "$page is gzipped as Debian keeps it (-9n: no name, no time, best compression)" \
        bash -c "gzip -t '$file' && [ \"\$(od -An -tx1 -N9 '$file' | tr -d ' \n')\" = 1f8b08000000000002 ]"
    for section in NAME SYNOPSIS DESCRIPTION FILES EXAMPLES 'SEE ALSO'; do
        if [ "$page" = man5/switchyard.json.5 ] && [ "$section" = SYNOPSIS ]; then continue; fi
        check "$page has a $section section" bash -c "zcat '$file' | grep -q '^\\.SH \"$section\"'"
    done
    if command -v man >/dev/null; then
        check "man renders $page without a warning" bash -c \
            "out=\$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l '$file' 2>&1 >/dev/null); [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
    fi
done
check "switchyard(1) lists the options and commands" \
    bash -c "zcat '$root/installed/usr/share/man/man1/switchyard.1.gz' | grep -q '^\\.SH \"OPTIONS\"' && zcat '$root/installed/usr/share/man/man1/switchyard.1.gz' | grep -q 'check\\\\-config'"
version="$(dpkg-deb -f "$deb" Version)"
check "the changelog's newest entry is this version" \
    bash -c "zcat '$root/installed/usr/share/doc/switchyard/changelog.gz' | head -1 | grep -q '^switchyard ($version) '"
check "the repository's LICENSE is the GPL version 3, as the copyright file and AppStream say" \
    bash -c "grep -q 'GNU GENERAL PUBLIC LICENSE' '$source_dir/LICENSE' && grep -q 'Version 3, 29 June 2007' '$source_dir/LICENSE' && grep -q '^License: GPL-3\$' '$root/installed/usr/share/doc/switchyard/copyright' && grep -q '<project_license>GPL-3.0-only</project_license>' '$root/installed/usr/share/metainfo/dev.switchyard.Switchyard.metainfo.xml'"
check "the installed configuration reference is the repository's" \
    cmp "$source_dir/packaging/switchyard.json.5.md" "$root/installed/usr/share/doc/switchyard/configuration.md"
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
    check "the desktop file validates without a warning" bash -c \
        "out=\$(desktop-file-validate '$root/installed/usr/share/applications/dev.switchyard.Switchyard.desktop' 2>&1); [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
