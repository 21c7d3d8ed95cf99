#!/usr/bin/env bash
# The main job: build Quorum and open its window on the sample meeting.
# With no display, the window opens on a virtual one (Xvfb :99); see README.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

(cd ui && npm run build --silent)
cargo build -p quorum-app

if [[ -z "${DISPLAY:-}" ]]; then
  export DISPLAY=:99
  if [[ ! -e /tmp/.X11-unix/X99 ]]; then
    Xvfb "$DISPLAY" -screen 0 1280x900x24 >/dev/null 2>&1 &
    sleep 1
  fi
  echo "No display: Quorum runs on the virtual display $DISPLAY."
  echo "See it with:  DISPLAY=$DISPLAY import -window root quorum.png"
fi
exec "$CARGO_TARGET_DIR/debug/quorum-app"
