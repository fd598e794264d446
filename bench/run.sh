#!/usr/bin/env bash
# Runs every Hybrid benchmark (kernel and boundary suites) with BenchmarkDotNet's short job
# (3 warm-up + 3 measured iterations, one process per case): about 10 minutes on 2 cores.
# Reports (markdown, CSV, HTML) and logs go to bench/artifacts/. Extra arguments go to
# BenchmarkDotNet, e.g.  bench/run.sh --filter '*Lns*'  or  bench/run.sh --job Dry.
# HYBRID_BENCH_SIZES=4096,65536 replaces the kernel sizes (default 4096, 1M, 16M elements).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
filter=('--filter' '*')
for a in "$@"; do [[ "$a" == --filter || "$a" == -f ]] && filter=(); done
job=('--job' 'short')
for a in "$@"; do [[ "$a" == --job || "$a" == -j ]] && job=(); done
exec dotnet run -c Release --project bench/Hybrid.Bench -- "${filter[@]}" "${job[@]}" "$@"
