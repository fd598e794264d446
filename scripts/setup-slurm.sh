#!/usr/bin/env bash
# A real one-node Slurm on this machine, for the sweep tests and for trying `hybrid sweep slurm`
# (docs/sweeps.md). Needs root (apt-get, munge's user).
#   scripts/setup-slurm.sh start    install slurm-wlm + munge if missing, write a one-node slurm.conf
#                                   for this host (its CPUs and memory, from `slurmd -C`), start munged,
#                                   slurmctld and slurmd, wait until the node is idle; record their pids
#   scripts/setup-slurm.sh stop     end exactly the daemons `start` recorded (by pid), nothing else
#   scripts/setup-slurm.sh status   say whether they run and the node is up
# Everything lives in $HYBRID_SLURM_DIR (default /tmp/hybrid-slurm): slurm.conf, pids, logs, spool,
# state, munge's socket. Nothing under /etc changes except creating /etc/munge/munge.key when the
# munge package did not. Slurm's commands find this cluster through SLURM_CONF: after `start`,
#   source "$HYBRID_SLURM_DIR/env.sh"
# Exit codes: 0 ok, 1 failed (the reason on stderr), 77 cannot run here (not root, no apt, ...).
set -euo pipefail

dir=${HYBRID_SLURM_DIR:-/tmp/hybrid-slurm}
say() { printf 'setup-slurm: %s\n' "$*" >&2; }
cannot() { say "$*"; exit 77; }

# the daemons this script starts: name, pid file
daemons=(munged slurmctld slurmd)
pidfile() { echo "$dir/$1.started.pid"; }

running_pid() { # prints the recorded pid of daemon $1 if that process is alive and is that daemon
    local f pid
    f=$(pidfile "$1")
    [[ -f "$f" ]] || return 1
    pid=$(<"$f")
    [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/comm" ]] && [[ "$(<"/proc/$pid/comm")" == "$1" ]] || return 1
    echo "$pid"
}

stop() {
    local d pid n
    for d in slurmd slurmctld munged; do
        if pid=$(running_pid "$d"); then
            kill -TERM "$pid" 2>/dev/null || true
            for ((n = 0; n < 50; ++n)); do [[ -d "/proc/$pid" ]] || break; sleep 0.1; done
            if [[ -d "/proc/$pid" ]]; then say "$d (pid $pid) did not stop on TERM; killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
            say "stopped $d (pid $pid)"
        fi
        rm -f "$(pidfile "$d")"
    done
}

node_state() { SLURM_CONF="$dir/slurm.conf" sinfo -h -N -o %T 2>/dev/null | head -n 1 || true; }

status() {
    local d pid ok=0
    for d in "${daemons[@]}"; do
        if pid=$(running_pid "$d"); then say "$d running (pid $pid)"; else say "$d not running"; ok=1; fi
    done
    ((ok == 0)) && say "node: $(node_state)"
    return "$ok"
}

install() {
    local missing=()
    command -v munged >/dev/null 2>&1 || missing+=(munge)
    command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v sbatch >/dev/null 2>&1 || missing+=(slurm-wlm)
    ((${#missing[@]})) || return 0
    command -v apt-get >/dev/null 2>&1 || cannot "no apt-get: install ${missing[*]} (Slurm and MUNGE) by hand"
    say "installing ${missing[*]} (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } \
        || { say "apt-get install ${missing[*]} failed"; exit 1; }
}

write_conf() {
    local host node
    host=$(hostname -s)
    # slurmd -C prints this machine's node line (CPUs, sockets, cores, threads, RealMemory)
    node=$(slurmd -C | head -n 1)
    [[ "$node" == NodeName=* ]] || { say "slurmd -C printed '$node', not a node line"; exit 1; }
    node="NodeName=$host ${node#* }"
    cat >"$dir/slurm.conf" <<EOF
# One-node Slurm for Hybrid's sweep tests, written by scripts/setup-slurm.sh; state in $dir.
ClusterName=hybrid
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=${HYBRID_SLURMCTLD_PORT:-6817}
SlurmdPort=${HYBRID_SLURMD_PORT:-6818}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=3600
$node State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    printf 'export SLURM_CONF=%q\n' "$dir/slurm.conf" >"$dir/env.sh"
}

start_munged() {
    if pid=$(running_pid munged); then say "munged already running (pid $pid)"; return; fi
    local key=/etc/munge/munge.key
    if [[ ! -f "$key" ]]; then
        say "creating the munge key $key"
        mkdir -p /etc/munge
        dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
        chown munge:munge /etc/munge "$key"
        chmod 700 /etc/munge
        chmod 400 "$key"
    fi
    mkdir -p "$dir/munge"
    chown munge:munge "$dir/munge"
    chmod 700 "$dir/munge"
    setpriv --reuid=munge --regid=munge --init-groups \
        munged --foreground --force --key-file="$key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" \
        >>"$dir/munged.out" 2>&1 &
    echo $! >"$(pidfile munged)"
    for ((n = 0; n < 50; ++n)); do [[ -S "$dir/munge/munge.socket" ]] && break; sleep 0.1; done
    munge -n --socket="$dir/munge/munge.socket" | unmunge --socket="$dir/munge/munge.socket" >/dev/null \
        || { say "munged did not start: $(tail -n 3 "$dir/munge/munged.log" "$dir/munged.out" 2>/dev/null | tr '\n' ' ')"; stop; exit 1; }
}

start_slurm() {
    local d
    for d in slurmctld slurmd; do
        if pid=$(running_pid "$d"); then say "$d already running (pid $pid)"; continue; fi
        "$d" -D -f "$dir/slurm.conf" >>"$dir/$d.out" 2>&1 &
        echo $! >"$(pidfile "$d")"
        sleep 0.5
    done
    export SLURM_CONF="$dir/slurm.conf"
    local state=""
    for ((n = 0; n < 60; ++n)); do
        state=$(node_state)
        case "$state" in
            idle*|mixed*|allocated*) break ;;
            drain*|down*) scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true ;;
        esac
        for d in slurmctld slurmd; do
            running_pid "$d" >/dev/null || { say "$d exited: $(tail -n 5 "$dir/$d.log" "$dir/$d.out" 2>/dev/null | tr '\n' ' ')"; stop; exit 1; }
        done
        sleep 0.5
    done
    [[ "$state" == idle* || "$state" == mixed* || "$state" == allocated* ]] \
        || { say "the node did not come up (state '$state'); see $dir/slurmctld.log and $dir/slurmd.log"; stop; exit 1; }
}

case "${1:-}" in
    start)
        [[ $(id -u) -eq 0 ]] || cannot "needs root (it installs packages and runs munged as user munge)"
        command -v setpriv >/dev/null 2>&1 || cannot "setpriv (util-linux) is missing"
        install
        mkdir -p "$dir/state" "$dir/spool"
        chmod 755 "$dir"
        write_conf
        start_munged
        start_slurm
        say "one-node Slurm up: $(hostname -s), $(SLURM_CONF="$dir/slurm.conf" sinfo -h -o '%c CPUs, %m MB') (pids: $(for d in "${daemons[@]}"; do printf '%s %s ' "$d" "$(running_pid "$d")"; done))"
        say "use it with: source $dir/env.sh"
        ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
