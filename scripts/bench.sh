#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints its figures. Never part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export WARTA_DATA_DIR="${WARTA_DATA_DIR:-$(mktemp -d)}"
for script in bench/*.py; do
    echo "== $script"
    .venv/bin/python "$script"
done
