# Sourced by scripts/setup.sh and scripts/setup-cuda.sh: the Debian mirror this machine already
# uses, read from its own apt sources (deb822 *.sources files first, then one-line *.list files),
# leaving out security and third-party sources. No mirror is ever written into the repository;
# a machine with no Debian source gets a clear error instead of a guess.
#   mirror=$(apt_mirror) || exit 1
apt_mirror() {
    local f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f "$f" ]] || continue
        case "$f" in */hybrid-*) continue ;; esac
        # the URIs of stanzas whose Suites are Debian's (bookworm, trixie, ...) and not security
        uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
            {
                u = ""; s = ""
                for (i = 1; i <= NF; ++i) {
                    if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, a, /[ \t]+/); u = a[1] }
                    if ($i ~ /^Suites:/) s = $i
                }
                if (u != "" && s !~ /security/ && u !~ /security/ && !found) { print u; found = 1 }
            }' "$f")
        [[ -n "$uri" ]] && { echo "$uri"; return 0; }
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f "$f" ]] || continue
        uri=$(awk '$1 == "deb" && $0 !~ /security/ && !found {
                for (i = 2; i <= NF; ++i) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; found = 1; break }
            }' "$f")
        [[ -n "$uri" ]] && { echo "$uri"; return 0; }
    done
    printf 'setup: no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/; add the Debian source this machine should use, then rerun\n' >&2
    return 1
}
