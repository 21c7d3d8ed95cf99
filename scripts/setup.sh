#!/usr/bin/env bash
# Installs what building and testing Quorum needs on Debian 12, skipping what is there.
# Sourced by run.sh and test.sh; safe to run again.
set -euo pipefail

APT_PACKAGES=(
  build-essential pkg-config libssl-dev
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  librsvg2-dev libayatana-appindicator3-dev libxdo-dev
  xvfb xauth webkit2gtk-driver fonts-dejavu-core imagemagick
  qpdf # quorum-pdf's export tests read the annotated copy back with a second PDF library
  poppler-utils # quorum-pdf's report tests extract the text and list the fonts with pdftotext, pdffonts
  gnome-keyring dbus-daemon # a Secret Service for the test that keeps a laptop's secrets in the OS keyring
  systemd # systemd-analyze verifies the hub package's service unit
  postgresql-15 # the hub on PostgreSQL: the tests start a private server of their own
  nginx # a balancer in front of several hub processes, in the tests
  softhsm2 opensc openssl # a PKCS#11 token, its tool, and a test CA (scripts/test-token.sh), for signing as with a USB token
  python3-venv # pyHanko's validator, installed by test.sh from PyPI
)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  # Installed, not started: PostgreSQL's and nginx's own services are not what the
  # tests use (they start private servers on free ports).
  no_services=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    no_services=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  [[ -z $no_services ]] || rm -f /usr/sbin/policy-rc.d
fi

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is missing; install it with rustup (https://rustup.rs), then run this again" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then
  echo "setup: Node.js 20.19 or newer is needed for the UI build (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# One target folder outside the clone, so a fresh clone on the same machine reuses the build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/quorum-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

if ! command -v tauri-driver >/dev/null; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# libpdfium for the PDF reader. No Debian or crates.io package ships the binary; the
# pypdfium2 wheel on PyPI does (PDFium chromium/8149), pinned here by version and hash.
pdfium_dir="$repo_root/vendor/pdfium"
if [[ ! -f "$pdfium_dir/libpdfium.so" ]]; then
  python3 -m pip --version >/dev/null 2>&1 || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip
  }
  wheel_dir=$(mktemp -d)
  echo "pypdfium2==5.15.2 --hash=sha256:dc31aea5b0fb9fefc9b537a65f4113980b2c40798445736a7e6565bc85161e37" \
    > "$wheel_dir/requirements.txt"
  python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux_2_17_x86_64 \
    --python-version 3.11 --require-hashes -r "$wheel_dir/requirements.txt" -d "$wheel_dir"
  mkdir -p "$pdfium_dir"
  python3 - "$wheel_dir" "$pdfium_dir" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/pypdfium2-*.whl")[0]
with zipfile.ZipFile(wheel) as archive, open(sys.argv[2] + "/libpdfium.so", "wb") as out:
    out.write(archive.read("pypdfium2_raw/libpdfium.so"))
PY
  rm -rf "$wheel_dir"
fi
export QUORUM_PDFIUM="$pdfium_dir/libpdfium.so"
# `npm ci` refuses the lock file here: the registry mirror omits optional platform
# packages from its metadata. `npm install` keeps the locked versions all the same.
(cd "$repo_root/ui" && npm install --no-fund --no-audit --loglevel=error)
