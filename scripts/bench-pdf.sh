#!/usr/bin/env bash
# The PDF benchmark of docs/BENCHMARKS.md: quorum-pdf against mutool and pdftoppm on
# real PDFs, in release. Installs what it needs, like the README's commands.
# `bash scripts/bench-pdf.sh soak`: one worker through the hostile-PDF corpus, memory reported.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
for tool in mutool pdftoppm; do
  command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mupdf-tools poppler-utils
done
# The same real PDFs as the tests.
eval "$(sed -n '/^export QUORUM_TEST_PDFS/,/^fi$/p' scripts/test.sh)"
cargo build --release -p quorum-pdf -p quorum-e2e --bin quorum-pdf-worker --bin pdf-bench
"$CARGO_TARGET_DIR/release/pdf-bench" "$@"
