#!/usr/bin/env bash
# The signing benchmark of docs/BENCHMARKS.md: a document signed through PKCS#11 with
# the software token (SoftHSM2), beside pyHanko's CLI with the same key, in release.
# Installs what it needs, like the README's commands.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# pyHanko as the tests install it.
eval "$(sed -n '/^export QUORUM_PYHANKO/,/^fi$/p' scripts/test.sh)"
token=$(mktemp -d)
trap 'rm -rf "$token"' EXIT
SOFTHSM2_CONF=$(bash scripts/test-token.sh "$token")
export SOFTHSM2_CONF
cargo run --release -q --locked -p quorum-token --example sign-bench -- "$token" "$QUORUM_PYHANKO"
