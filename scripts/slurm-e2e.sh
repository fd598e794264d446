#!/usr/bin/env bash
# `hybrid sweep` end to end on a real one-node Slurm (scripts/setup-slurm.sh; started here and
# stopped again if it is not already running). Needs the built CLI (dotnet build -c Release).
#   scripts/slurm-e2e.sh               the test (.ci/run): a small sweep (8 tiny runs, synthetic data)
#                                      as a 4-task job array equals the same sweep in one process, run
#                                      for run; then the same sweep again with one array task killed
#                                      (kill -9) mid-run and requeued: it completes with no run lost or
#                                      duplicated, the killed run resumed from its checkpoint.
#   scripts/slurm-e2e.sh --overhead [N] the sharding-overhead measurement of docs/sweeps.md: 32 tiny runs
#                                      as a 4-task array vs one process, N times each (default 3).
# Exit codes: 0 passed, 1 failed, 77 Slurm cannot start here (skipped).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
hybrid=${HYBRID:-$root/src/Hybrid.Cli/bin/Release/net10.0/hybrid}
say() { printf 'slurm-e2e: %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; say "work folder kept: $work"; exit 1; }
[[ -x "$hybrid" ]] || { say "no CLI at $hybrid: run dotnet build Hybrid.sln -c Release first"; exit 1; }

export HYBRID_SLURM_DIR=${HYBRID_SLURM_DIR:-/tmp/hybrid-slurm}
export SLURM_CONF="$HYBRID_SLURM_DIR/slurm.conf"
started_slurm=0
if ! { [[ -f "$SLURM_CONF" ]] && sinfo -h >/dev/null 2>&1; }; then
    rc=0
    "$root/scripts/setup-slurm.sh" start || rc=$?
    if ((rc == 77)); then say "skipped: Slurm cannot start here (see above)"; exit 77; fi
    ((rc == 0)) || { say "scripts/setup-slurm.sh start failed"; exit 1; }
    started_slurm=1
fi
work=$(mktemp -d /tmp/hybrid-slurm-e2e.XXXXXX)
chmod 755 "$work"
cleanup() {
    local rc=$?
    if ((started_slurm)); then "$root/scripts/setup-slurm.sh" stop || true; fi
    if ((rc == 0)) && [[ -z "${HYBRID_E2E_KEEP:-}" ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# waits until every task of job $1 has left the queue (at most $2 seconds)
wait_job() {
    local deadline=$((SECONDS + $2))
    while [[ -n "$(squeue -h -j "$1" -o %i 2>/dev/null)" ]]; do
        ((SECONDS < deadline)) || fail "job $1 still queued after $2 s: $(squeue -h -j "$1" -o '%i %T %R' | tr '\n' ';')"
        sleep 0.2
    done
}
# the states of job $1's array tasks, one per line, by task id
task_states() { scontrol show job "$1" -o | sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\).*/\1 \2/p' | sort -n; }
submit() { # sweep file, sweep folder, tasks [, more sweep slurm options] → job id
    local out
    out=$("$hybrid" sweep slurm "$1" --out "$2" --array "$3" --cpus 1 --submit "${@:4}") || fail "sweep slurm --submit failed: $out"
    sed -n 's/^submitted job \([0-9]*\)$/\1/p' <<<"$out"
}
run_id() { grep -o '"id": "[0-9a-f]*"' "$1/plan.json" | sed -n "$(($2 + 1))s/.*\"\([0-9a-f]*\)\"/\1/p"; }
all_completed() {
    local states
    states=$(task_states "$1")
    [[ $(grep -c ' COMPLETED$' <<<"$states") -eq $2 ]] || fail "job $1's tasks did not all complete: $(tr '\n' ' ' <<<"$states")"
}

# runs of a tiny MLP (epochs of 40 steps) on the synthetic mixture task; --threads 1 everywhere, because
# libtorch's float reductions differ with the thread count and the test compares results bit for bit
sweep_file() { # name, lrs, widths, seeds, epochs
    cat >"$work/$1.json" <<EOF
{
  "name": "$1",
  "experiment": "train",
  "base": { "depth": 1, "epochs": $5, "batchSize": 50, "data": "mixture", "trainSize": 2000,
            "optimizer": { "name": "madam" } },
  "axes": { "optimizer.lr": $2, "width": $3 },
  "seeds": $4
}
EOF
    echo "$work/$1.json"
}

elapsed() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

array_time() { # sweep file, folder, extra options → seconds from submission to the last task's end
    local t0 job
    t0=$(date +%s.%N)
    job=$(submit "$1" "$2" 4 "${@:3}")
    wait_job "$job" 900
    elapsed "$t0"
    all_completed "$job" 4
    "$hybrid" sweep merge "$1" --out "$2" >/dev/null
}

overhead() {
    local repeats=${1:-3} file i t0 one static steal
    file=$(sweep_file overhead "[0.03, 0.01, 0.003, 0.001]" "[16, 32]" 4 3)
    say "sharding overhead: 32 runs (MLP 32-{16,32}-10, 3 epochs of 40 steps on 2000 synthetic examples, --threads 1)"
    say "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); Slurm: $(sinfo -h -o '%c CPUs, %m MB'), 1 CPU per task"
    for ((i = 1; i <= repeats; ++i)); do
        t0=$(date +%s.%N)
        "$hybrid" sweep run "$file" --out "$work/one-$i" --threads 1 >/dev/null || fail "one-process run failed"
        one=$(elapsed "$t0")
        "$hybrid" sweep merge "$file" --out "$work/one-$i" >/dev/null
        static=$(array_time "$file" "$work/static-$i")
        steal=$(array_time "$file" "$work/steal-$i" --steal)
        for a in static steal; do
            cmp -s "$work/one-$i/merged/results.csv" "$work/$a-$i/merged/results.csv" || fail "the $a array's results differ from one process's ($i)"
        done
        say "repeat $i: one process ${one} s; 4-task array ${static} s (ratio $(ratio "$static" "$one")), with --steal ${steal} s (ratio $(ratio "$steal" "$one")); load $(cut -d' ' -f1 /proc/loadavg)"
    done
}

if [[ "${1:-}" == "--overhead" ]]; then
    overhead "${2:-3}"
    exit 0
fi

file=$(sweep_file e2e "[0.01, 0.003]" "[16, 32]" 2 3)
say "1. the sweep as a 4-task array vs one process ($(nproc) CPUs)"
job=$(submit "$file" "$work/array" 4)
[[ -n "$job" ]] || fail "no job id"
wait_job "$job" 600
all_completed "$job" 4
for t in 0 1 2 3; do [[ -s "$work/array/logs/${job}_$t.log" ]] || fail "no log for task $t"; done
"$hybrid" sweep status "$file" --out "$work/array" >/dev/null || fail "sweep status: not every run is done after the array"
"$hybrid" sweep run "$file" --out "$work/one" --threads 1 >/dev/null || fail "the one-process run failed"
"$hybrid" sweep merge "$file" --out "$work/array" >/dev/null
"$hybrid" sweep merge "$file" --out "$work/one" >/dev/null
cmp "$work/array/merged/results.csv" "$work/one/merged/results.csv" || fail "the array's results differ from one process's"
runs=$(($(wc -l <"$work/one/merged/results.csv") - 1))
((runs == 8)) || fail "expected 8 runs in results.csv, got $runs"
say "   equal run for run: $runs runs, $(grep -l '"attempts": 1' "$work"/array/runs/*/result.json | wc -l) of them in one attempt"

say "2. the same sweep again, one task killed (kill -9) mid-run and requeued"
job=$(submit "$file" "$work/killed" 4)
victim=$(run_id "$work/killed" 2) # shard 2's first run
folder="$work/killed/runs/$victim"
deadline=$((SECONDS + 300))
until [[ -f "$folder/checkpoint.bin" ]]; do
    ((SECONDS < deadline)) || fail "run $victim never wrote a checkpoint"
    sleep 0.05
done
pid=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$folder/.hybrid.lock.owner")
[[ -n "$pid" ]] || fail "no lock owner recorded in $folder"
kill -9 "$pid"
say "   killed pid $pid (task 2) while it ran $victim after its first epoch"
grep -q '"status": "started"' "$folder/result.json" || fail "the kill came after $victim finished; make the runs longer"
until [[ "$(task_states "$job" | sed -n 's/^2 //p')" != RUNNING ]]; do sleep 0.2; done
say "   task 2: $(task_states "$job" | sed -n 's/^2 //p'); requeueing it"
scontrol requeue "${job}_2"
# the requeue takes effect a moment later (under load, seconds): until then squeue lists no task and the
# task still reads FAILED, so wait for it to be queued again before waiting for the job
deadline=$((SECONDS + 120))
until [[ "$(task_states "$job" | sed -n 's/^2 //p')" =~ ^(PENDING|RUNNING|COMPLETING|COMPLETED)$ ]]; do
    ((SECONDS < deadline)) || fail "task 2 was not queued again within 120 s of the requeue: $(task_states "$job" | tr '\n' ' ')"
    sleep 0.2
done
if [[ "$(task_states "$job" | sed -n 's/^2 //p')" == PENDING ]]; then
    # a requeued job is otherwise held for two minutes (refused only when it has started meanwhile)
    scontrol update jobid="${job}_2" StartTime=now || true
fi
wait_job "$job" 600
all_completed "$job" 4
"$hybrid" sweep status "$file" --out "$work/killed" >/dev/null || fail "sweep status: not every run is done after the requeue"
"$hybrid" sweep merge "$file" --out "$work/killed" >/dev/null
cmp "$work/killed/merged/results.csv" "$work/one/merged/results.csv" || fail "after the kill the results differ from one process's"
(($(ls "$work/killed/runs" | wc -l) == 8)) || fail "expected 8 run folders, found: $(ls "$work/killed/runs" | tr '\n' ' ')"
(($(ls "$work"/killed/runs/*/result.json | wc -l) == 8)) || fail "not every run has a result"
grep -q '"attempts": 2' "$folder/result.json" || fail "$victim was not run exactly twice"
grep -q '"resumed": true' "$folder/run.json" || fail "$victim's second attempt did not resume"
others=$(grep -L '"attempts": 1' "$work"/killed/runs/*/result.json | grep -v "$victim" || true)
[[ -z "$others" ]] || fail "runs other than the killed one ran twice: $others"
grep -q 'restart 1' "$work/killed/logs/${job}_2.log" || fail "task 2's log does not show its restart"
say "   completed: 8 runs, none lost or duplicated; $victim resumed from its checkpoint to the same results"
say "passed"
