#!/usr/bin/env bash
# Runs the fault tests against real anvil and real node/aggregator processes with the
# issue's sizes (1,000-trigger bursts, a 30 s RPC outage), prints each test's figures and
# rewrites the figures section of docs/RELIABILITY.md with them.
#   scripts/fault-tests.sh            # full sizes
#   WAVS_FAULT_TRIGGERS=200 scripts/fault-tests.sh
# CI runs the same tests (smaller bursts where noted) as part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

export WAVS_FAULT_TRIGGERS="${WAVS_FAULT_TRIGGERS:-1000}"
export WAVS_OUTAGE_SECS="${WAVS_OUTAGE_SECS:-30}"
tests=(fault_node_restart fault_aggregator_restart fault_rpc_outage fault_reorg fault_hostile fault_host_calls fault_forged_signatures)

scripts/build-guests.sh >/dev/null
cargo build --workspace --bins --quiet
log=$(mktemp)
for t in "${tests[@]}"; do
  printf '==> %s (bursts of %s triggers)\n' "$t" "$WAVS_FAULT_TRIGGERS"
  cargo test --quiet -p wavs-devnet --test "$t" -- --nocapture 2>&1 | tee -a "$log" | grep -E '^\[figures\]|test result' || true
done
passed=$(grep -c '^test result: ok' "$log" || true)
[ "$passed" -eq "${#tests[@]}" ] || { echo "only $passed of ${#tests[@]} fault tests passed; see $log" >&2; exit 1; }
grep -q '^test result: FAILED\|^test .* \.\.\. FAILED$' "$log" && { echo "a fault test failed; see $log" >&2; exit 1; }

figures=$(grep -h '^\[figures\]' "$log" | sed 's/^\[figures\] /- /')
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
python3 - "$figures" "$machine" "$WAVS_FAULT_TRIGGERS" <<'PY'
import sys, datetime
figures, machine, burst = sys.argv[1:4]
path = "docs/RELIABILITY.md"
text = open(path).read()
start, end = "<!-- figures:start -->", "<!-- figures:end -->"
block = (f"{start}\nMeasured {datetime.date.today()} on {machine} by `scripts/fault-tests.sh` "
         f"(bursts of {burst} triggers):\n\n{figures}\n{end}")
head, rest = text.split(start, 1)
text = head + block + rest.split(end, 1)[1]
open(path, "w").write(text)
PY
echo "figures written to docs/RELIABILITY.md"
