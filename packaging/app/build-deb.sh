#!/usr/bin/env bash
# Builds the desktop app's Debian package with the Tauri bundler, from binaries already
# built by cargo:
#   packaging/app/build-deb.sh [debug|release]   → prints the path of the .deb
# The package carries quorum-app and quorum-pdf-worker in /usr/bin, libpdfium and the
# sample meeting in /usr/lib/Quorum, a menu entry and icons. The app finds the worker
# beside itself and libpdfium among its resources, so nothing needs to be set to run it.
set -euo pipefail
profile=${1:-release}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
pdfium=${QUORUM_PDFIUM:-$repo/vendor/pdfium/libpdfium.so}
for built in "$target/$profile/quorum-app" "$target/$profile/quorum-pdf-worker" "$pdfium"; do
  [[ -f $built ]] || { echo "build-deb: $built is missing (cargo build, scripts/setup.sh)" >&2; exit 1; }
done

# Paths outside the source tree are given here rather than in tauri.conf.json, so that a
# plain `cargo build` never needs libpdfium or a built worker.
extra=$(mktemp --suffix=.json)
trap 'rm -f "$extra"' EXIT
cat > "$extra" <<JSON
{
  "bundle": {
    "resources": {
      "$repo/assets/sample/sample.json": "sample/sample.json",
      "$repo/assets/sample/documents/": "sample/documents/",
      "$pdfium": "pdfium/libpdfium.so"
    },
    "linux": { "deb": { "files": { "/usr/bin/quorum-pdf-worker": "$target/$profile/quorum-pdf-worker" } } }
  }
}
JSON
flags=(--bundles deb --ci --config "$extra")
[[ $profile == debug ]] && flags+=(--debug)
(cd "$repo/src-tauri" && "$repo/ui/node_modules/.bin/tauri" bundle "${flags[@]}" >&2)
# The bundler names the package by tauri.conf.json's version.
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$repo/src-tauri/tauri.conf.json" | head -1)
echo "$target/$profile/bundle/deb/Quorum_${version}_$(dpkg --print-architecture).deb"
