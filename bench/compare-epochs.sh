#!/usr/bin/env bash
# Issue 21's user-facing benchmark: whole `hybrid compare` rows, seconds per epoch, as ratios to float32 Adam
# trained in the same process — weights-only LNS 8-bit, full LNS 8/12 with fast GEMMs, full LNS 8/12 with the
# exact LNS datapath — quiet, then again with a competing 2-thread load (two busy loops this script starts and
# stops by their own pids), at the CPU's own SIMD level and with HYBRID_SIMD=avx2 forced when the CPU has AVX-512.
#
#   bench/compare-epochs.sh [OUT]          OUT default: bench/results/compare-epochs-<UTC time>
#   HYBRID_BENCH_TRAIN_SIZE=5000 (examples per epoch), HYBRID_BENCH_EPOCHS=1
#
# Writes OUT/results.md (the table, the CPU model, SIMD level, load average before each run, the commands) and
# keeps each compare run folder under OUT/runs/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results/compare-epochs-$(date -u +%Y%m%dT%H%M%SZ)}
size=${HYBRID_BENCH_TRAIN_SIZE:-5000}
epochs=${HYBRID_BENCH_EPOCHS:-1}
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
{
  echo "# compare rows per epoch, as ratios to float32 Adam in the same run"
  echo
  echo "- CPU: $cpu, $(nproc) logical; AVX-512: $has512. Train size $size, $epochs epoch(s), batch 128, MLP 784-256-256-10."
  echo "- Written by \`bench/compare-epochs.sh\` on $(date -u +%Y-%m-%dT%H:%MZ); Hybrid $(git rev-parse --short HEAD)."
  echo
  echo "| SIMD | load | row | row s/epoch | Adam s/epoch | ratio | load avg before |"
  echo "|---|---|---|---:|---:|---:|---:|"
} > "$out/results.md"
for level in "${levels[@]}"; do
  for load in quiet busy2; do
    [[ $load == busy2 ]] && start_load
    for row in weights-only full-fast full-exact; do
      dir="$out/runs/$level-$load-$row"
      before=$(cut -d' ' -f1 /proc/loadavg)
      # shellcheck disable=SC2086
      cmd=(./hybrid compare ${row_args[$row]} "${common[@]}" --out "$dir")
      echo "== $level $load $row: ${cmd[*]}" >&2
      if [[ $level == auto ]]; then "${cmd[@]}" >"$dir.log" 2>&1; else HYBRID_SIMD=$level "${cmd[@]}" >"$dir.log" 2>&1; fi
      simd=$(python3 -c "import json,sys; e=json.load(open('$dir/summary.json')).get('environment',{}); print((e.get('native') or {}).get('simd','?'))" 2>/dev/null || echo "$level")
      python3 - "$dir/results.csv" "$simd" "$load" "$row" "$before" >> "$out/results.md" <<'PY'
import csv, sys
path, simd, load, row, before = sys.argv[1:]
rows = list(csv.DictReader(open(path)))
adam = next(r for r in rows if r["kind"] == "adam")
for r in rows:
    if r["kind"] == "adam": continue
    a, b = float(adam["epoch_seconds"]), float(r["epoch_seconds"])
    print(f"| {simd} | {load} | {row}: {r['name']} | {b:.2f} | {a:.2f} | {b / a:.2f}x | {before} |")
PY
    done
    [[ $load == busy2 ]] && stop_load
  done
done
{
  echo
  echo "Commands (every row also trains float32 Adam in the same process): \`./hybrid compare <row options> ${common[*]} --out DIR\`"
  for row in weights-only full-fast full-exact; do echo "- $row: \`${row_args[$row]}\`"; done
  echo "- busy2: two \`while :; do :; done\` shell loops running beside the comparison (started and stopped by this script)."
} >> "$out/results.md"
cat "$out/results.md"
