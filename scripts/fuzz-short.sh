#!/usr/bin/env bash
# Runs every fuzz target for a short, bounded time (FUZZTIME, default 10s).
set -euo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-10s}
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "fuzz $pkg $target ($t)"
    # A short minimisation budget: shrinking a large seed (a 15 MB file) can
    # outlast a short run.
    run() { go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" -fuzzminimizetime "${FUZZMINIMIZE:-2s}" "$pkg"; }
    if ! out=$(run 2>&1); then
      echo "$out"
      # A worker still busy with one slow input when the time is up makes
      # the fuzzer report "context deadline exceeded" without a failing
      # input: that is not a finding, so the target gets one more run. A
      # real failure writes its input under testdata/fuzz and fails again.
      if grep -q "context deadline exceeded" <<<"$out" && ! grep -q "Failing input written" <<<"$out"; then
        echo "fuzz $pkg $target: the fuzzer's own deadline, no failing input; running once more"
        run
      else
        exit 1
      fi
    else
      echo "$out" | tail -n 2
    fi
  done
done
