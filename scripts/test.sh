#!/usr/bin/env bash
# Hybrid's whole test suite, from a fresh clone: prerequisites, the native build and its ctest
# suite, then every NUnit test (generated layout tests, bindings-are-current, safe layer,
# managed twin, native-vs-managed cross-checks).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

scripts/setup.sh

echo "== build (dotnet build runs CMake for libhybrid)"
dotnet build Hybrid.sln -c Release -nologo -clp:ErrorsOnly

echo "== native tests (ctest)"
cmake --build build/native-Release --parallel
ctest --test-dir build/native-Release --output-on-failure

echo "== managed tests (NUnit)"
dotnet test Hybrid.sln -c Release --no-build -nologo
