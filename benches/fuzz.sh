#!/usr/bin/env bash
# The long fuzz run (not in CI): repeats tests/it/fuzz.rs (compiler, workflow loading, state
# parsing through a whole run) with FNHOST_FUZZ_CASES cases per target, round after round with
# fresh random inputs, until FUZZ_SECONDS have passed. Any panic or hang stops it with the
# minimal failing input printed by proptest.
#
#   FUZZ_SECONDS=600 FNHOST_FUZZ_CASES=2000 benches/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${FUZZ_SECONDS:-600}
export FNHOST_FUZZ_CASES=${FNHOST_FUZZ_CASES:-2000}
cargo test --test it --no-run
start=$SECONDS
rounds=0
while (( SECONDS - start < budget )); do
  cargo test -q --test it fuzz:: >/dev/null 2>"${TMPDIR:-/tmp}/fnhost-fuzz.err" || {
    cat "${TMPDIR:-/tmp}/fnhost-fuzz.err"
    echo "fuzz: FAILED in round $((rounds + 1))" >&2
    exit 1
  }
  rounds=$((rounds + 1))
  echo "fuzz: round $rounds done ($((SECONDS - start)) s)"
done
echo "fuzz: $rounds rounds x $FNHOST_FUZZ_CASES cases per target (7 targets) in $((SECONDS - start)) s: no panic, no hang"
