#!/usr/bin/env bash
# Issue 21's user-facing benchmark: whole `hybrid compare` rows, seconds per epoch, as ratios to float32 Adam
# trained in the same process — weights-only LNS 8-bit, full LNS 8/12 with fast GEMMs, full LNS 8/12 with the
# exact LNS datapath — quiet, then again with a competing 2-thread load (two busy loops this script starts and
# stops by their own pids), at the CPU's own SIMD level and with HYBRID_SIMD=avx2 forced when the CPU has AVX-512.
#
#   bench/compare-epochs.sh [OUT]          OUT default: bench/results/compare-epochs-<UTC time>
#   HYBRID_BENCH_TRAIN_SIZE=5000 (examples per epoch), HYBRID_BENCH_EPOCHS=3, HYBRID_BENCH_REPEATS=3
#
# Every (SIMD level, load, row) runs HYBRID_BENCH_REPEATS times, the rows interleaved; a row's s/epoch is the mean
# over its epochs after the first (warm-up). Writes OUT/results.md (median ratios with their min–max over the
# repetitions, the busy-load slowdowns, every run with the load average before it, the CPU model, SIMD level and
# commands) and keeps each compare run folder under OUT/runs/ (OUT/runs.tsv lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results/compare-epochs-$(date -u +%Y%m%dT%H%M%SZ)}
size=${HYBRID_BENCH_TRAIN_SIZE:-5000}
epochs=${HYBRID_BENCH_EPOCHS:-3}
repeats=${HYBRID_BENCH_REPEATS:-3}
[[ -e "$out" ]] && { echo "compare-epochs: $out exists; give another folder" >&2; exit 2; }
mkdir -p "$out/runs"
./hybrid info >/dev/null # builds once and runs the setup

load_pids=()
stop_load() { for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null || true; done; load_pids=(); }
trap stop_load EXIT
start_load() { for _ in 1 2; do (while :; do :; done) & load_pids+=($!); done; sleep 1; }

cpu=$(lscpu | sed -n 's/^Model name: *//p')
has512=$(grep -q avx512f /proc/cpuinfo && echo yes || echo no)
levels=(auto); [[ $has512 == yes ]] && levels+=(avx2)

common=(--epochs "$epochs" --train-size "$size" --no-madam --seeds 1)
declare -A row_args=(
  [weights-only]="--preset weights-only --bits 8"
  [full-fast]="--preset lns-madam --update-bits 12 --variants stochastic --baselines fp8 --gemm fast"
  [full-exact]="--preset lns-madam --update-bits 12 --variants stochastic --baselines fp8 --gemm exact"
)
printf 'level\tload\trep\trow\tdir\tload_before\n' > "$out/runs.tsv"
for level in "${levels[@]}"; do
  for load in quiet busy2; do
    [[ $load == busy2 ]] && start_load
    # the rows interleaved within each repetition, so that a drift of the machine reaches every row alike
    for rep in $(seq 1 "$repeats"); do
      for row in weights-only full-fast full-exact; do
        dir="$out/runs/$level-$load-$row-$rep"
        before=$(cut -d' ' -f1 /proc/loadavg)
        # shellcheck disable=SC2086
        cmd=(./hybrid compare ${row_args[$row]} "${common[@]}" --out "$dir")
        echo "== $level $load #$rep $row: ${cmd[*]}" >&2
        if [[ $level == auto ]]; then "${cmd[@]}" >"$dir.log" 2>&1; else HYBRID_SIMD=$level "${cmd[@]}" >"$dir.log" 2>&1; fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$level" "$load" "$rep" "$row" "$dir" "$before" >> "$out/runs.tsv"
      done
    done
    [[ $load == busy2 ]] && stop_load
  done
done
python3 - "$out" "$cpu" "$has512" "$size" "$epochs" "$repeats" "$(git rev-parse --short HEAD)" > "$out/results.md.tmp" <<'PY'
import csv, json, os, statistics, sys, time
out, cpu, has512, size, epochs, repeats, commit = sys.argv[1:]
epochs = int(epochs)

def seconds(run_dir, key):
    """Mean s/epoch of one row of one compare run: the epochs after the first when there are several (the first
    pays the process's warm-up, and float32 Adam, trained first, pays most of it)."""
    rows = list(csv.DictReader(open(os.path.join(run_dir, "rows", key, "seed-0", "metrics.csv"))))
    t = [float(r["epoch_seconds"]) for r in rows]
    return statistics.fmean(t[1:] if len(t) > 1 else t)

def simd_of(run_dir, level):
    try:
        return json.load(open(os.path.join(run_dir, "environment.json")))["native"]["simd"]
    except (OSError, KeyError, ValueError):
        return level

runs = list(csv.DictReader(open(os.path.join(out, "runs.tsv")), delimiter="\t"))
per = []  # (simd, load, rep, row label, row s, adam s)
for r in runs:
    res = list(csv.DictReader(open(os.path.join(r["dir"], "results.csv"))))
    simd = simd_of(r["dir"], r["level"])
    adam = seconds(r["dir"], "adam")
    for x in res:
        if x["kind"] == "adam": continue
        per.append((simd, r["load"], int(r["rep"]), f"{r['row']}: {x['name']}", seconds(r["dir"], x["key"]), adam,
                    r["load_before"]))

def spread(v):
    return f"{statistics.median(v):.2f}x ({min(v):.2f}–{max(v):.2f})" if len(v) > 1 else f"{v[0]:.2f}x"

print("# compare rows per epoch, as ratios to float32 Adam in the same run")
print()
print(f"- CPU: {cpu}, {os.cpu_count()} logical; AVX-512: {has512}. Train size {size}, {epochs} epoch(s), batch 128, "
      f"MLP 784-256-256-10; {repeats} repetition(s) of every (SIMD level, load, row).")
print(f"- Written by `bench/compare-epochs.sh` on {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())}; Hybrid {commit}.")
print("- s/epoch: the mean over the epochs after the first" if epochs > 1 else "- s/epoch: the one epoch",
      "(training only, as compare's epoch_seconds); a ratio divides a row by the float32 Adam trained in the same process.")
print()
print("## Median ratio to float32 Adam (min–max over repetitions)")
print()
print("| SIMD | load | row | row s/epoch (median) | Adam s/epoch (median) | ratio |")
print("|---|---|---|---:|---:|---:|")
keys = []
for p in per:
    if (p[0], p[1], p[3]) not in keys: keys.append((p[0], p[1], p[3]))
for k in keys:
    g = [p for p in per if (p[0], p[1], p[3]) == k]
    print(f"| {k[0]} | {k[1]} | {k[2]} | {statistics.median(p[4] for p in g):.3f} | "
          f"{statistics.median(p[5] for p in g):.3f} | {spread([p[4] / p[5] for p in g])} |")
print()
print("## Slowdown under the two busy loops, each row's against Adam's (repetition i busy ÷ repetition i quiet)")
print()
print("| SIMD | row | row slowdown | Adam slowdown | ratio (target ≤ 1.5) |")
print("|---|---|---:|---:|---:|")
for simd, load, row in keys:
    if load != "quiet": continue
    q = {p[2]: p for p in per if (p[0], p[1], p[3]) == (simd, "quiet", row)}
    b = {p[2]: p for p in per if (p[0], p[1], p[3]) == (simd, "busy2", row)}
    reps = sorted(set(q) & set(b))
    if not reps: continue
    rs = [b[i][4] / q[i][4] for i in reps]
    ad = [b[i][5] / q[i][5] for i in reps]
    print(f"| {simd} | {row} | {statistics.median(rs):.2f} | {statistics.median(ad):.2f} | "
          f"{spread([x / y for x, y in zip(rs, ad)])} |")
print()
print("## Every run")
print()
print("| SIMD | load | # | row | row s/epoch | Adam s/epoch | ratio | load avg before |")
print("|---|---|---:|---|---:|---:|---:|---:|")
for p in per:
    print(f"| {p[0]} | {p[1]} | {p[2]} | {p[3]} | {p[4]:.3f} | {p[5]:.3f} | {p[4] / p[5]:.2f}x | {p[6]} |")
PY
mv "$out/results.md.tmp" "$out/results.md"
{
  echo
  echo "Commands (every row also trains float32 Adam in the same process): \`./hybrid compare <row options> ${common[*]} --out DIR\`"
  for row in weights-only full-fast full-exact; do echo "- $row: \`${row_args[$row]}\`"; done
  echo "- busy2: two \`while :; do :; done\` shell loops running beside the comparison (started and stopped by this script)."
} >> "$out/results.md"
cat "$out/results.md"
