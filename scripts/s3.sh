# Sourced by the test command: an S3-compatible server for the tests that keep the hub's
# documents in a bucket. s3s-fs (crates.io) is a real S3 HTTP server that checks SigV4
# signatures and keeps objects as files; built once into ~/.cargo/bin like tauri-driver
# (pinned: 0.17 needs a newer Rust). Served on a free loopback port from a temporary
# folder, stopped when the sourcing shell exits. A bucket is a subfolder of that folder.
# Exports QUORUM_TEST_S3 (its URL), QUORUM_TEST_S3_ROOT and the keys it checks.

start_test_s3() {
  if ! command -v s3s-fs > /dev/null; then
    echo "setup: installing s3s-fs"
    cargo install s3s-fs --version 0.14.1 --features binary --locked --quiet
  fi
  QUORUM_TEST_S3_ROOT=$(mktemp -d /tmp/quorum-s3.XXXXXX)
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export AWS_ACCESS_KEY_ID=quorum-test AWS_SECRET_ACCESS_KEY=quorum-test-secret
  s3s-fs --host 127.0.0.1 --port "$port" --access-key "$AWS_ACCESS_KEY_ID" \
    --secret-key "$AWS_SECRET_ACCESS_KEY" "$QUORUM_TEST_S3_ROOT" > "$QUORUM_TEST_S3_ROOT.log" 2>&1 &
  QUORUM_TEST_S3_PID=$!
  for _ in $(seq 50); do
    if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then break; fi
    sleep 0.1
  done
  export QUORUM_TEST_S3="http://127.0.0.1:$port" QUORUM_TEST_S3_ROOT QUORUM_TEST_S3_PID
}

stop_test_s3() {
  kill "$QUORUM_TEST_S3_PID" 2> /dev/null || true
  rm -rf "$QUORUM_TEST_S3_ROOT" "$QUORUM_TEST_S3_ROOT.log"
}
