#!/usr/bin/env bash
# Every test: formatting, lints, unit and store tests, UI checks, real hub and client
# processes on loopback, and the real window under Xvfb driven through WebDriver.
# Screenshots land in artifacts/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

step "UI: type check, unit tests, build"
(cd ui && npm run --silent check && npm run --silent test && npm run --silent build)

step "rustfmt"
cargo fmt --all -- --check

step "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "build"
# Whole-workspace builds only: one feature set, so nothing is compiled twice.
cargo build --workspace --locked
cargo test --workspace --locked --no-run

step "all tests: units, store, IPC bindings, hub and clients on loopback, the real window"
# The window tests need an X display: Xvfb, with no session bus, as on a bare kiosk.
# A hung window must fail the run, not eat CI's time.
# Output goes to a file, not a pipe: a window process left behind by a failed test
# must not keep the run waiting for the pipe to close.
log=$(mktemp)
set +e
timeout 1200 env -u DBUS_SESSION_BUS_ADDRESS xvfb-run -a -s "-screen 0 1280x900x24" \
  cargo test --workspace --locked -- --test-threads=1 > "$log" 2>&1
status=$?
set -e
cat "$log"
pkill -f WebKitWebDriver || true

# One closing line for the whole run; the UI's vitest run above is counted on its own.
awk '/^test result:/ { for (i = 2; i <= NF; i++) { if ($i == "passed;") p += $(i-1); if ($i == "failed;") f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
