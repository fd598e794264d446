#!/usr/bin/env bash
# Coverage-guided fuzzing of Hybrid's readers of untrusted files: SharpFuzz instruments the readers'
# assemblies, AFL++ drives the targets of tests/Hybrid.Fuzz (idx, checkpoint, checkpoint-body, run-json,
# energy-table, manifest, row, sweep-result, sweep-file) from the corpus kept in tests/Hybrid.Fuzz/corpus/<target>/.
#   scripts/fuzz.sh                       every target, 20 s each (what CI runs)
#   scripts/fuzz.sh 3600 idx checkpoint   chosen targets, an hour each
# Findings go to build/fuzz/findings/<target>/ (AFL's queue, crashes, hangs, fuzzer_stats); every crash or hang
# is also copied to tests/Hybrid.Fuzz/crashes/<target>/, where FuzzRegressionTests replays it in the NUnit suite
# (commit it with the fix). Exit 1 when a target found a crash or a hang. One line per target summarises
# executions, executions per second, coverage (edges of the instrumented readers reached, and AFL's map density),
# the corpus grown, crashes, hangs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
seconds=${1:-20}
shift || true
all=(idx checkpoint checkpoint-body run-json energy-table manifest row sweep-result sweep-file)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")

if ! command -v afl-fuzz >/dev/null; then
    echo "== installing afl++ (Debian)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
dotnet tool restore >/dev/null

echo "== build and instrument the readers (SharpFuzz)"
dotnet build tests/Hybrid.Fuzz -c Release -nologo -clp:ErrorsOnly
bin=build/fuzz/bin
rm -rf "$bin" && mkdir -p build/fuzz && cp -r tests/Hybrid.Fuzz/bin/Release/net10.0 "$bin"
# only the readers' namespaces: their branches are what AFL's coverage map should see
dotnet sharpfuzz "$bin/Hybrid.Training.dll" Hybrid.Training.Data Hybrid.Training.Trainer >/dev/null
dotnet sharpfuzz "$bin/Hybrid.Experiments.dll" Hybrid.Experiments.Runs Hybrid.Experiments.Sweeps >/dev/null
dotnet sharpfuzz "$bin/Hybrid.Synapse.dll" Hybrid.Synapse.Energy Hybrid.Synapse.Files >/dev/null

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 \
    AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=120000 AFL_QUIET=1
found=0
printf '%-16s %7s %9s %8s %12s %8s %6s %7s %5s\n' target seconds execs "execs/s" edges map corpus crashes hangs
for t in "${targets[@]}"; do
    out=build/fuzz/findings/$t
    rm -rf "$out" && mkdir -p build/fuzz/findings
    # -V: stop after the time budget; -t: a hang is an input taking over 5 s (+: a seed that does is skipped, not
    # fatal); dotnet itself is not instrumented
    afl-fuzz -V "$seconds" -t 5000+ -m none -i "tests/Hybrid.Fuzz/corpus/$t" -o "$out" \
        -- dotnet "$bin/Hybrid.Fuzz.dll" "$t" >"$out.log" 2>&1 || { echo "afl-fuzz failed on $t:"; tail -20 "$out.log"; exit 1; }
    stats=$out/default/fuzzer_stats
    get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
    printf '%-16s %7s %9s %8s %12s %8s %6s %7s %5s\n' "$t" "$(get run_time)" "$(get execs_done)" "$(get execs_per_sec)" \
        "$(get edges_found)/$(get total_edges)" "$(get bitmap_cvg)" "$(get corpus_count)" "$(get saved_crashes)" "$(get saved_hangs)"
    for kind in crashes hangs; do
        for f in "$out/default/$kind"/id:*; do
            [[ -e $f ]] || continue
            found=1
            mkdir -p "tests/Hybrid.Fuzz/crashes/$t"
            cp "$f" "tests/Hybrid.Fuzz/crashes/$t/$kind-$(sha256sum "$f" | cut -c1-16)"
        done
    done
done
if [[ $found -ne 0 ]]; then
    echo "fuzzing found crashes or hangs: see tests/Hybrid.Fuzz/crashes/ (replay: dotnet $bin/Hybrid.Fuzz.dll <target> FILE)"
    exit 1
fi
