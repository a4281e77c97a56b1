#!/bin/bash
# Runs a test against a real gnome-keyring: a private D-Bus session, a throwaway HOME holding a new
# login keyring unlocked with a test password, so the user's own keyring is never touched.
# Usage: run_in_session.sh TEST_BINARY   (CTest runs it inside dbus-run-session)
set -euo pipefail
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config"
export XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'switchyard-test-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
# The daemon answers before its login keyring exists; a test that starts at once then finds no
# default keyring (seen about one run in three). Wait, boundedly, until the keyring is there.
for _ in $(seq 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.secrets \
        /org/freedesktop/secrets/collection/login org.freedesktop.DBus.Properties.Get \
        string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null | grep -q 'boolean false'; then
        break
    fi
    sleep 0.05
done
export GNOME_KEYRING_CONTROL
export SWITCHYARD_KEYRING_SESSION=1
exec "$@"
