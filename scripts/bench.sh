#!/usr/bin/env bash
# Runs every benchmark and rewrites docs/BENCHMARKS.md from what they print:
# the runtime micro-benchmarks (criterion) and the system measurements (wavs-bench:
# scale, throughput, trigger-to-envelope, landed/s on anvil, ECDSA against BLS as the
# operator set grows). About 13 minutes on 2 cores;
# run it on a quiet machine. WAVS_BENCH_QUICK=1 makes a smoke run (numbers meaningless).
set -euo pipefail
cd "$(dirname "$0")/.."

load=$(cut -d' ' -f1-3 /proc/loadavg)
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
scripts/install-tools.sh >/dev/null
scripts/build-guests.sh >/dev/null
echo "==> building release binaries"
cargo build --release --quiet -p wavs-node -p wavs-aggregator -p wavs-bench
echo "==> runtime micro-benchmarks (criterion)"
cargo bench --quiet -p wavs-runtime
echo "==> system measurements (wavs-bench all)"
mkdir -p target/bench
target/release/wavs-bench all | tee target/bench/system.jsonl
python3 scripts/render-benchmarks.py target/criterion/wavs-runtime-summary.json target/bench/system.jsonl \
  docs/BENCHMARKS.md "$machine" "$load"
