#!/usr/bin/env bash
# Installs the CUDA compiler (nvcc) that the HYBRID_CUDA=ON build needs, on a Debian 12 machine of
# ours: Debian 13 (trixie) non-free's nvidia-cuda-toolkit (CUDA 12.4, about 1.8 GB installed), from
# the trixie source that scripts/setup.sh adds pinned at priority 100 (DESIGN.md, "Verified facts").
# Does nothing when nvcc is already on PATH (or in /usr/local/cuda/bin), so CI pays the download
# once per machine. No GPU or driver is needed to compile; tests that need a GPU skip without one.
#   scripts/setup-cuda.sh            install if missing
#   scripts/setup-cuda.sh --check    exit 1 if nvcc is missing
set -euo pipefail

say() { printf 'setup-cuda: %s\n' "$*" >&2; }

find_nvcc() {
    command -v nvcc 2>/dev/null && return 0
    [[ -x /usr/local/cuda/bin/nvcc ]] && { echo /usr/local/cuda/bin/nvcc; return 0; }
    return 1
}

if nvcc_path=$(find_nvcc); then
    say "nvcc present: $nvcc_path ($("$nvcc_path" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'))"
    exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
    say "nvcc not found; run scripts/setup-cuda.sh as root (installs Debian 13 nvidia-cuda-toolkit)"
    exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
    say "nvcc not found; as root run scripts/setup-cuda.sh, or install a CUDA toolkit >= 12 and put nvcc on PATH"
    exit 1
fi
if ! grep -rqs 'trixie' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # scripts/setup.sh adds the pinned trixie source (main non-free) when it installs libstdc++6.
    say "no Debian 13 (trixie) apt source: run scripts/setup.sh first (it adds one pinned at priority 100)"
    exit 1
fi
if ! grep -rqs 'non-free' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    say "the trixie apt source lacks the non-free component that nvidia-cuda-toolkit lives in"
    exit 1
fi
# nvidia-cuda-dev depends on libcuda1 (the driver's user-space library, virtual libcuda-12.4-1),
# and libcuda1 on nvidia-support and glx-alternative-nvidia, which live in trixie's *contrib*.
# Add that component as its own source file on the same mirror; the priority-100 pin of
# scripts/setup.sh ("Pin: release n=trixie") covers it too. libcuda1 without a GPU is inert:
# the CUDA runtime then reports "no CUDA-capable device", exactly as without a driver.
if ! grep -rqsE '^Components:.*contrib|^deb .*trixie.*contrib' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/hybrid-trixie.sources 2>/dev/null || true)
    if [[ -z "$mirror" ]]; then
        # shellcheck source=lib/apt-mirror.sh
        source "$(dirname "$0")/lib/apt-mirror.sh"
        mirror=$(apt_mirror) || exit 1
    fi
    say "adding Debian 13 (trixie) contrib from $mirror (nvidia-support, glx-alternative-nvidia)"
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: contrib\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$mirror" > /etc/apt/sources.list.d/hybrid-trixie-contrib.sources
fi

export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
say "installing nvidia-cuda-toolkit from trixie non-free (about 1.8 GB; once per machine)"
apt-get update -qq
apt-get install -y -qq --no-install-recommends -t trixie nvidia-cuda-toolkit >/dev/null
nvcc_path=$(find_nvcc) || { say "nvidia-cuda-toolkit installed but nvcc is still not on PATH"; exit 1; }
say "installed $("$nvcc_path" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p') in $(( $(date +%s) - start )) s"
