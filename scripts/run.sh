#!/usr/bin/env bash
# The main job: a hub on its embedded default store with the sample meeting, and the
# Quorum window on a laptop profile enrolled with it (as the committee's chair).
# With no display, the window opens on a virtual one (Xvfb :99); see README.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

(cd ui && npm run build --silent)
# The whole workspace, as scripts/test.sh builds it: one feature set, one build.
cargo build --workspace
bin="$CARGO_TARGET_DIR/debug"
demo="${QUORUM_DEMO_DIR:-/var/tmp/quorum-demo}"
listen="${QUORUM_HUB_LISTEN:-127.0.0.1:7878}"
mkdir -p "$demo"
chmod 700 "$demo" # the codes enroll laptops: nobody else on this machine may read them
umask 077

# Loads the sample (again: nothing is duplicated) and issues fresh one-time codes.
"$bin/quorum-hub" demo --data "$demo/hub" > "$demo/codes.tsv"
"$bin/quorum-hub" serve --data "$demo/hub" --listen "$listen" > "$demo/hub.out" 2> "$demo/hub.log" &
hub_pid=$!
trap 'kill $hub_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "^certificate" "$demo/hub.out" && break; sleep 0.1; done
grep -q "^certificate" "$demo/hub.out" || { cat "$demo/hub.log" >&2; exit 1; }
certificate=$(sed -n 's/^certificate //p' "$demo/hub.out")
echo "Hub: https://$listen, certificate $certificate (data in $demo/hub, log in $demo/hub.log)"

laptop="$demo/laptop-chair"
if ! "$bin/quorum" --profile "$laptop" status --json | grep -q '"deviceId":"'; then
  chair_code=$(awk -F'\t' '$2 == "chair" { print $3 }' "$demo/codes.tsv")
  "$bin/quorum" --profile "$laptop" enroll "https://$listen" "$chair_code" --certificate "$certificate"
fi
echo "One-time codes for the other members' laptops (private to root, valid 72 h): $demo/codes.tsv"

if [[ -z "${DISPLAY:-}" ]]; then
  export DISPLAY=:99
  if [[ ! -e /tmp/.X11-unix/X99 ]]; then
    Xvfb "$DISPLAY" -screen 0 1280x900x24 >/dev/null 2>&1 &
    sleep 1
  fi
  echo "No display: Quorum runs on the virtual display $DISPLAY."
  echo "See it with:  DISPLAY=$DISPLAY import -window root quorum.png"
fi
QUORUM_PROFILE="$laptop" "$bin/quorum-app"
