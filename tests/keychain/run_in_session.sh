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
export GNOME_KEYRING_CONTROL
export SWITCHYARD_KEYRING_SESSION=1
exec "$@"
