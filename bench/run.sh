#!/usr/bin/env bash
# Run every benchmark in bench/ (bench_*.py) in turn; arguments (e.g. --full) are passed to each.
# Each benchmark uses its own throw-away database: a temporary SQLite file, or a temporary database on
# the PostgreSQL server BENCH_DATABASE_URL points to. Exits non-zero if any benchmark failed.
set -u
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
if [ -x .venv/bin/python ] && [ -z "${VIRTUAL_ENV:-}" ]; then PYTHON=.venv/bin/python; fi
failed=()
for bench in bench/bench_*.py; do
  echo "=== $bench $*"
  started=$(date +%s)
  if ! "$PYTHON" "$bench" "$@"; then
    failed+=("$bench")
    echo "!!! $bench failed"
  fi
  echo "=== $bench: $(( $(date +%s) - started )) s"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
echo "all benchmarks ran"
