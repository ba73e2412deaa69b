#!/usr/bin/env python3
"""Renders docs/BENCHMARKS.md from the runtime benchmark summary (criterion, written by
`cargo bench -p wavs-runtime`) and the system measurements (JSON lines from `wavs-bench all`).
Called by scripts/bench.sh; the page says which machine and how busy it was."""
import json, sys, datetime, os, platform

def us(ns): return f"{ns / 1000:.1f} µs"
def rows(bench, **match):
    return [r for r in system if r.get("bench") == bench and all(r.get(k) == v for k, v in match.items())]
def verdict(ok): return "met" if ok else "**not met**"

def intake_section(machine, load):
    """The "Aggregator intake" section (`wavs-bench intake`), as lines."""
    out = ["## Aggregator intake\n"]
    w = out.append
    w("Signatures counted per second by a release `wavs-aggregator` with its data dir on disk, on anvil; every operator of the target's manager signs each envelope (distinct event ids), posted by a load generator on the same 2 cores. Intake only: the batcher's interval is an hour, so nothing lands during a run. `refused` counts every signature not counted (any error answer); a run with refusals fails.\n")
    if machine:
        w(f"Measured on {machine} (load average at start: {load}).\n")
    w("| posted as | in flight | operators | envelopes | signatures | signatures/s | refused | aggregator CPU µs/signature |")
    w("|---|---|---|---|---|---|---|---|")
    for r in rows("intake"):
        w(f"| `{r['post']}` | {r['in_flight']} | {r['operators']} | {r['envelopes']} | {r['signatures']} | {r['signatures_per_s']:.0f} | {r['refused']} | {r['aggregator_cpu_us_per_signature']:.0f} |")
    w("")
    for r in sorted(rows("intake"), key=lambda r: -r["signatures_per_s"]):
        w(f"- Goal 10,000 signatures/s with the store on disk, posted as `{r['post']}`: {r['signatures_per_s']:.0f}/s, {verdict(r['signatures_per_s'] >= 10000 and r['refused'] == 0)}.")
    return out

def schemes_section(machine, load):
    """The "Signature schemes" section (`wavs-bench schemes`), as lines."""
    out = ["## Signature schemes: one result's cost as the operator set grows\n"]
    w = out.append
    w("An ECDSA and a BLS (BN254) service on the same EVM adapter and anvil, each with N operators of weight 1 and threshold ⌈2N/3⌉; every result is signed by exactly the threshold's operators (the others are down, so a BLS batch also pays for N/3 non-signers). "
      "The signatures are posted to a release `wavs-aggregator` with its batcher idle (accept: signatures/s and aggregator CPU per signature, which is mostly the adapter's `verify` through the host's curves); "
      "then the aggregator is restarted on the same data dir with `batch-interval-ms` 100 and lands the backlog at the same `max-batch` for every row (landed/s from the restart to the last landing; gas from its `batch landed` lines; every result is counted on chain by the handler's events). No nodes run: a node's work per result does not depend on N.\n")
    if machine:
        w(f"Measured on {machine} (load average at start: {load}).\n")
    w("| scheme | operators | signers | max-batch | mean batch | gas per envelope | landed/s | anvil CPU ms/tx | aggregator CPU ms/tx | accepted signatures/s | aggregator CPU µs/signature |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    land = rows("schemes", phase="land")
    for r in land:
        w(f"| {r['scheme']} | {r['operators']} | {r['signers']} | {r['max_batch']} | {r['mean_batch']} | {r['gas_per_envelope']:,} | {r['landed_per_s']:.0f} | {r['land_anvil_cpu_ms_per_tx']:.0f} | {r['land_aggregator_cpu_ms_per_tx']:.0f} | {r['signatures_per_s']:.0f} | {r['aggregator_cpu_us_per_signature']:.0f} |")
    w("")
    for r in rows("schemes", phase="adapter-verify"):
        w(f"- The adapter's `verify` of one `{r['scheme']}` signature, in process (WASM adapter and host curves, no HTTP or store): {r['us_p50']:.0f} µs p50, {r['us_p99']:.0f} µs p99.")
    w("- Landed/s is bounded by anvil's CPU (anvil CPU ms/tx: each transaction runs twice, for the gas estimate and in its block; an ECDSA envelope costs anvil one `ecrecover` per signer each time), not by the aggregator's.")
    def gas(scheme, n):
        return next((r["gas_per_envelope"] for r in land if r["scheme"] == scheme and r["operators"] == n), None)
    ns = sorted({r["operators"] for r in land})
    if ns:
        lo, hi = ns[0], ns[-1]
        bls_lo, bls_hi, ecdsa_hi = gas("bn254-bls", lo), gas("bn254-bls", hi), gas("secp256k1-ecdsa", hi)
        if None not in (bls_lo, bls_hi, ecdsa_hi):
            growth = (bls_hi - bls_lo) / bls_lo
            ratio = bls_hi / ecdsa_hi
            w(f"- Goal: BLS gas per envelope that does not grow with the operator set, and at most half of ECDSA's at {hi} operators. BLS from {lo} to {hi} operators: {bls_lo:,} → {bls_hi:,} ({growth:+.1%}); BLS ÷ ECDSA at {hi} operators: {ratio:.2f}, {verdict(ratio <= 0.5 and growth < 0.1)}.")
    return out

# `--only SECTION system.jsonl page.md [machine load]`: renders one section (intake or
# schemes) alone into an existing page, replacing it if it is there, else placing it
# before "## Chain adapter"; for runs of `wavs-bench intake` or `wavs-bench schemes` alone.
if sys.argv[1] == "--only":
    name, system_path, out_path = sys.argv[2:5]
    machine, load = (sys.argv[5:7] + ["", ""])[:2]
    system = [json.loads(l) for l in open(system_path) if l.strip().startswith("{")]
    build, heading = {"intake": (intake_section, "## Aggregator intake"), "schemes": (schemes_section, "## Signature schemes")}[name]
    page = open(out_path).read()
    section = "\n".join(build(machine, load)) + "\n\n"
    start = page.find(heading)
    if start >= 0:
        end = page.find("\n## ", start + 1)
        page = page[:start] + section + (page[end + 1:] if end >= 0 else "")
    else:
        at = page.find("## Chain adapter")
        page = page[:at] + section + page[at:] if at >= 0 else page + "\n" + section
    open(out_path, "w").write(page)
    print(f"wrote the {name} section of {out_path}")
    sys.exit(0)

summary_path, system_path, out_path, machine, load = sys.argv[1:6]
note = os.environ.get("WAVS_BENCH_NOTE", "")
runtime = json.load(open(summary_path))
system = [json.loads(l) for l in open(system_path) if l.strip().startswith("{")]
b = runtime["benchmarks"]

out = []
w = out.append
w("# Benchmarks\n")
w(f"Rendered {datetime.date.today()} by `scripts/render-benchmarks.py` from the output of the benchmark programs that `scripts/bench.sh` runs, on {machine} (load average at start: {load}).")
w("No measurement on this page is typed in by hand; the sentences around them are.\n")
if note:
    w(f"> {note}\n")
w("Reproduce: `scripts/bench.sh` (about 13 minutes on 2 cores, with the criterion build; `WAVS_BENCH_QUICK=1` for a smoke run whose numbers mean nothing).")
w("Micro-benchmarks: `host/runtime/benches/runtime.rs` (criterion). System measurements: `conformance/bench` (`wavs-bench`), against release builds of `wavs` and `wavs-aggregator` and a real anvil.\n")

w("## Engine: one execution, and the bare-wasmtime floor\n")
w("One execution = new store + instantiate + call, component precompiled and loaded from the on-disk cache (pooling allocator, copy-on-write memory init). The floor is a harness with nothing of ours: same engine settings, a component with the same echo logic built against a one-function world, plain `Linker`.\n")
w("| benchmark | mean | median |")
w("|---|---|---|")
for name in ["exec/echo", "exec/square", "exec/import-loop", "floor/bare-echo", "floor/echo-wasi", "signer/sign-digest", "signer/recover-public-key", "signer/recover-k256", "signer/recover-libsecp256k1"]:
    if name in b:
        w(f"| `{name}` | {us(b[name]['mean_ns'])} | {us(b[name]['median_ns'])} |")
ratio = runtime.get("echo_over_floor")
same = runtime.get("echo_over_same_component_floor")
w("")
def spread(name):
    m = b[name]
    return (m["mean_high_ns"] - m["mean_low_ns"]) / m["mean_ns"]
if ratio is not None:
    noisy = max(spread("exec/echo"), spread("floor/bare-echo")) > 0.2
    judged = "**not conclusive**: a 95% interval is wider than 20% of its mean, the machine was busy" if noisy else verdict(ratio <= 1.3)
    w(f"- **Echo ÷ floor: {ratio:.2f}** (target ≤ 1.3: {judged}; intervals: echo {us(b['exec/echo']['mean_low_ns'])}–{us(b['exec/echo']['mean_high_ns'])}, floor {us(b['floor/bare-echo']['mean_low_ns'])}–{us(b['floor/bare-echo']['mean_high_ns'])}).")
    if same is not None:
        w(f"- Running our `echo.wasm` through a plain wasmtime `Linker` with WASI (`floor/echo-wasi`) gives echo ÷ that = {same:.2f}: our host adds nothing measurable over wasmtime itself; what separates echo from the floor is the component (Rust std makes it import 13 WASI interfaces and instantiate 3 core modules against the floor's 1).")
# A partial criterion run leaves these null: the line is left out, not the page.
if runtime.get("host_import_call_ns") is not None:
    w(f"- One host import call (`config-var`, from `exec/import-loop`, 1,000 calls per execution): {runtime['host_import_call_ns']:.0f} ns.")

w("\n## Scale: services on one node\n")
w("Warm-cache start (stop, start again on the same data dir, until `/health` answers with all services loaded), resident memory, and manual-task latency (200 tasks). `shared`: every service uses one component; `distinct`: each service has a component of its own.\n")
w("| variant | services | start (ms) | RSS (MB) | MB per extra service | latency p50 (ms) | p99 (ms) |")
w("|---|---|---|---|---|---|---|")
for r in rows("scale"):
    per = r.get("rss_after_tasks_mb_per_extra_service")
    w(f"| {r['variant']} | {r['services']} | {r['start_ms']:.0f} | {r['rss_after_tasks_mb']:.1f} | {'' if per is None else f'{per:.3f}'} | {r['latency_ms_p50']:.2f} | {r['latency_ms_p99']:.2f} |")
s100 = [r for r in rows("scale") if r["services"] == 100]
if s100:
    worst_start = max(r["start_ms"] for r in s100)
    worst_mem = max((r.get("rss_after_tasks_mb_per_extra_service") or 0) for r in rows("scale"))
    w(f"\nTargets: start under 1 s at 100 services — {worst_start:.0f} ms, {verdict(worst_start < 1000)}; memory growth under 1 MB per extra service — at most {worst_mem:.3f} MB, {verdict(worst_mem < 1)}.")

w("\n## Trigger to signed envelope (one node)\n")
for r in rows("envelope"):
    if r["trigger"] == "manual":
        w(f"- Manual task to signed envelope at the aggregator: p50 {r['to_signed_envelope_ms_p50']:.2f} ms, p99 {r['to_signed_envelope_ms_p99']:.2f} ms ({r['count']} tasks).")
    else:
        w(f"- Chain event, from its block being mined to the signed envelope at the aggregator: p50 {r['mined_to_signed_envelope_ms_p50']:.1f} ms, p99 {r['mined_to_signed_envelope_ms_p99']:.1f} ms (poll interval {r['poll_interval_ms']} ms, which sets most of it).")

w("\n## Throughput through one node\n")
w("Manual tasks running `echo`, results kept on the node, N tasks in flight for 10 s.\n")
w("| data dir | in flight | tasks/s | per core | per node CPU-second | node CPU µs/task | p50 ms | p99 ms |")
w("|---|---|---|---|---|---|---|---|")
for r in rows("throughput"):
    w(f"| {r['storage']} | {r['concurrency']} | {r['tasks_per_s']:.0f} | {r['tasks_per_s_per_core']:.0f} | {r['tasks_per_node_cpu_s']:.0f} | {r['node_cpu_us_per_task']:.0f} | {r['latency_ms_p50']:.2f} | {r['latency_ms_p99']:.2f} |")
best = max((r["tasks_per_s_per_core"] for r in rows("throughput")), default=0)
best_cpu = max((r["tasks_per_node_cpu_s"] for r in rows("throughput")), default=0)
w(f"\nTarget 10,000/s per core: best {best:.0f}/s per machine core (tasks/s over the 2 cores the node shares with the load generator), {best_cpu:.0f} per second of node CPU; {verdict(best >= 10000)}. "
  "Each task makes two durable store writes (the job, then its record), and each durable redb commit is an fdatasync (`fsync` rows below). "
  "Writes that arrive while a commit is on disk share the next one (group commit on a writer thread, `host/node/src/store/committer.rs`), so with many tasks in flight the disk's sync rate no longer bounds tasks; "
  "with one task in flight it still waits for two syncs. What is left per task is HTTP, the execution and JSON encoding (node CPU µs/task).\n")
w("| probe | data dir | per second |")
w("|---|---|---|")
for r in rows("fsync"):
    w(f"| {r['what']} | {r['storage']} | {r['per_s']:.0f} |")

w("\n## Results landed per second on anvil\n")
w("1,000 square triggers; `live`: node running while they are fired; `backlog`: node started after they were fired, so only the pipeline is timed.\n")
w("| max-batch | mode | data dir | landed/s | transactions | largest batch | refused batches |")
w("|---|---|---|---|---|---|---|")
for r in rows("landing"):
    w(f"| {r['max_batch']} | {r['mode']} | {r['storage']} | {r['landed_per_s']:.0f} | {r['txs']} | {r['max_batch_seen']} | {r['batches_refused']} |")
landing = rows("landing")
if landing:
    top = max(landing, key=lambda r: r["landed_per_s"])
    single = [r for r in landing if r["max_batch"] == 1]
    w(f"\nBatched versus one envelope per transaction: best {top['landed_per_s']:.0f}/s at max-batch {top['max_batch']} against {single[0]['landed_per_s']:.1f}/s at max-batch 1." if single else "")
    gas = min(r["gas_per_envelope"] for r in landing if r["batches_refused"] == 0 and r["max_batch"] > 1)
    w(f"Target 1,000/s: {verdict(top['landed_per_s'] >= 1000)}. Anvil is the ceiling here: each envelope costs {gas / 1000:.0f}k gas in a batch, every transaction runs twice (estimate, then mining), and a batch above {30_000_000 // gas} envelopes exceeds anvil's 30M block gas limit. The aggregator then splits the refused batch in halves and caps that handler's batches at the size that landed, growing the cap back 10% per full batch (refused batches column: what that learning cost). Left: `is-handled` is asked once per envelope before each batch.")

w("")
for line in intake_section("", ""):
    w(line)
w("")
for line in schemes_section("", ""):
    w(line)
w("\n## Chain adapter and aggregator paths\n")
for r in rows("adapter-events"):
    if r["range"] == "range":
        w(f"- Adapter `events` over {r['blocks']} blocks holding {r['events']} events on anvil: {r['ms_p50']:.1f} ms p50 ({r['events_per_s']:.0f} events/s).")
    elif r["range"] == "head-only":
        w(f"- Adapter `head`: {r['ms_p50']:.2f} ms p50.")
for r in rows("aggregator-accept"):
    if r["path"].startswith("step-") and "us_p50" in r:
        w(f"- Aggregator step `{r['path'][5:]}`: {r['us_p50']:.0f} µs p50.")
    elif r["path"] == "http-post-envelopes":
        w(f"- Aggregator `POST /envelopes` (verify, count, commit), data dir on {r['storage']}: {r['us_p50']:.0f} µs p50, {r['per_s']:.0f}/s.")
open(out_path, "w").write("\n".join(out) + "\n")
print(f"wrote {out_path}")
