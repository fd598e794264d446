#!/usr/bin/env bash
# `dotnet pack` the libraries (Hybrid.Native with libhybrid.so as runtimes/linux-x64/native, Hybrid.Synapse,
# Hybrid.Training) into a local folder feed, then build a fresh sample project that takes them from that feed
# (and TorchSharp from the machine's usual NuGet source) and run it: one Madam step, one LNS step, and a model the
# sample defines converted to LNS and stepped, the snippet of docs/package.md. Exit 0 only when the sample prints
# every result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work=$(mktemp -d /tmp/hybrid-pack-XXXXXX)
# a version of its own, so the sample can only restore what was packed now (never a copy in the NuGet cache)
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)-check.$(date +%s)"
cache=${NUGET_PACKAGES:-$HOME/.nuget/packages}
trap 'rm -rf "$work" "$cache"/hybrid.native/"$version" "$cache"/hybrid.synapse/"$version" "$cache"/hybrid.training/"$version"' EXIT
feed=$work/feed

echo "== dotnet pack → $feed"
for p in src/Hybrid.Native src/Hybrid.Synapse src/Hybrid.Training; do
    dotnet pack "$p" -c Release -o "$feed" -p:Version="$version" -nologo -clp:ErrorsOnly >/dev/null
done
ls "$feed"
# listings are read whole first: `unzip -l | grep -q` under pipefail fails by SIGPIPE when grep stops early
native_list=$(unzip -l "$feed"/Hybrid.Native.*.nupkg)
training_list=$(unzip -l "$feed"/Hybrid.Training.*.nupkg)
grep -q 'runtimes/linux-x64/native/libhybrid.so' <<<"$native_list" \
    || { echo "Hybrid.Native's package lacks runtimes/linux-x64/native/libhybrid.so"; exit 1; }
grep -q 'README.md' <<<"$training_list" || { echo "no README in Hybrid.Training's package"; exit 1; }

echo "== a fresh sample project from the folder feed"
sample=$work/sample
mkdir -p "$sample"
# the folder feed first; the machine's own sources stay (TorchSharp-cpu and friends)
cat > "$sample/nuget.config" <<XML
<configuration><packageSources><add key="hybrid-local" value="$feed" /></packageSources></configuration>
XML
cat > "$sample/Sample.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
  <ItemGroup><PackageReference Include="Hybrid.Training" Version="$version" /></ItemGroup>
</Project>
XML
# the snippet of docs/package.md, verbatim, with one check line added before its type declarations (top-level
# statements come first in a C# program)
sed -n '/^```csharp$/,/^```$/p' docs/package.md | sed '1d;$d' > "$work/snippet.cs"
awk 'BEGIN { done = 0 }
     !done && /^(\/\/ fields|sealed class|class )/ {
         print "Console.WriteLine($\"madam stepped: {layer.weight!.grad is not null}; lns backend {synapses.Backend.Name}\");"
         print ""; done = 1 }
     { print }
     END { if (!done) print "Console.WriteLine($\"madam stepped: {layer.weight!.grad is not null}; lns backend {synapses.Backend.Name}\");" }' \
    "$work/snippet.cs" > "$sample/Program.cs"
# a folder outside the repository: the repository's Directory.*.props must not apply
(cd "$sample" && dotnet run -c Release 2>&1 | tee "$work/out.txt")
grep -q "synapses changed" "$work/out.txt" && grep -q "lns backend native-cpu" "$work/out.txt" \
    || { echo "the sample did not take both steps"; exit 1; }
# the user-defined model: both layers converted, the activation left float32, and the LNS step moved codes
grep -q "conv: Conv2d -> LnsConv2d" "$work/out.txt" && grep -q "fc: Linear -> LnsLinear" "$work/out.txt" \
    && grep -q "act: ReLU -> ReLU" "$work/out.txt" && grep -Eq "converted 2 layers; [1-9][0-9]* codes changed" "$work/out.txt" \
    || { echo "the sample did not convert and train its own model"; exit 1; }
echo "== the packages work from a folder feed"
