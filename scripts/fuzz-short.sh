#!/usr/bin/env bash
# Runs every fuzz target for a short, bounded time (FUZZTIME, default 10s).
set -euo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-10s}
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "fuzz $pkg $target ($t)"
    # A short minimisation budget: shrinking a large seed (a 15 MB file) can
    # outlast a short run, which the fuzzer reports as a deadline failure.
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" -fuzzminimizetime "${FUZZMINIMIZE:-2s}" "$pkg"
  done
done
