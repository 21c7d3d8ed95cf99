#!/usr/bin/env bash
# Every test: formatting, lints, unit and store tests, UI checks, real hub and client
# processes on loopback, and the real window under Xvfb driven through WebDriver.
# Screenshots land in artifacts/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

# Real PDFs nobody here wrote, for the PDF tests: the Why3 manual (184 pages of text) and
# Ghostscript's colour-management guide (42 pages with images), from Debian's packages.
export QUORUM_TEST_PDFS="$PWD/vendor/test-pdfs"
if [[ ! -f "$QUORUM_TEST_PDFS/why3-manual.pdf" || ! -f "$QUORUM_TEST_PDFS/gs-color-management.pdf" ]]; then
  debs=$(mktemp -d)
  (cd "$debs" && apt-get download -q why3-doc-pdf ghostscript-doc 2>/dev/null || { apt-get update -qq && apt-get download -q why3-doc-pdf ghostscript-doc; })
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$debs/unpacked"; done
  mkdir -p "$QUORUM_TEST_PDFS"
  cp "$debs/unpacked/usr/share/doc/why3-doc-pdf/manual.pdf" "$QUORUM_TEST_PDFS/why3-manual.pdf"
  cp "$debs/unpacked/usr/share/doc/ghostscript/GS9_Color_Management.pdf" "$QUORUM_TEST_PDFS/gs-color-management.pdf"
  rm -rf "$debs"
fi

# pyHanko's validator (PyPI), a second independent judge beside poppler's pdfsig of the
# PDFs Quorum signs with a token (quorum-token's tests).
export QUORUM_PYHANKO="$PWD/vendor/pyhanko/bin/pyhanko"
if [[ ! -x $QUORUM_PYHANKO ]]; then
  python3 -m venv vendor/pyhanko
  vendor/pyhanko/bin/pip install -q --disable-pip-version-check pyHanko==0.38.0 pyhanko-cli==0.6.0
fi

# A private PostgreSQL and S3 server for the hub past one machine, stopped and removed
# when this exits.
source scripts/postgres.sh
source scripts/s3.sh
start_test_postgres
start_test_s3
trap 'stop_test_s3; stop_test_postgres' EXIT

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

if [[ $status == 0 ]]; then
  step "the hub's API, vote, trust and CLI tests again: records in PostgreSQL, documents in S3"
  # Not the data-folder backups or the SQLite file's own version: on PostgreSQL and S3
  # those are the database's and the bucket's business (docs/HUB-PAST-ONE-MACHINE.md).
  set +e
  QUORUM_TEST_HUB_DATABASE=postgres QUORUM_TEST_HUB_BLOBS=s3 timeout 900 \
    cargo test -p quorum-hub --locked --test api --test votes --test trust --test cli \
    -- --skip backup --skip a_hub_database_from_a_newer_quorum > "$log.postgres" 2>&1
  status=$?
  set -e
  cat "$log.postgres"
  cat "$log.postgres" >> "$log"
fi

# One closing line for the whole run; the UI's vitest run above is counted on its own.
awk '/^test result:/ { for (i = 2; i <= NF; i++) { if ($i == "passed;") p += $(i-1); if ($i == "failed;") f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
