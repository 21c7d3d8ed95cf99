#!/usr/bin/env bash
# Every test: formatting, lints, unit and store tests, UI checks, and the real window
# under Xvfb driven through WebDriver. Screenshots land in artifacts/e2e/.
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

step "unit, store and IPC binding tests"
cargo test --workspace --exclude quorum-e2e --locked

step "end-to-end: the real window under Xvfb, no session bus"
cargo build -p quorum-app --locked
cargo test -p quorum-e2e --locked --no-run
# A hung window must fail the run, not eat CI's time.
timeout 900 env -u DBUS_SESSION_BUS_ADDRESS xvfb-run -a -s "-screen 0 1280x900x24" \
  cargo test -p quorum-e2e --locked -- --test-threads=1
