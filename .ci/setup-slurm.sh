#!/usr/bin/env bash
# A one-node Slurm cluster on this machine for the sharded-run test (test/slurm/run-slurm-test.sh):
# installs Debian's slurmctld, slurmd, slurm-client and munge, writes a slurm.conf for localhost
# (no cgroups: proctrack/linuxproc; state and spool under /var/tmp), creates the munge key and starts
# munged, slurmctld and slurmd. Idempotent: a running cluster is left as it is.
# Exit 0: the cluster answers `sinfo`. Exit 77: Slurm cannot be installed or started here (the test
# is then skipped with the reason); anything else is a failure.
set -uo pipefail

skip() { echo "setup-slurm: SKIP: $*" >&2; exit 77; }

if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then exec sudo -n -E bash "$0" "$@"; fi
  skip "needs root (or passwordless sudo) to install and start Slurm"
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "no apt-get: install slurmctld, slurmd, slurm-client and munge by hand"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || skip "apt-get update failed (no package mirror reachable)"
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null 2>&1 \
    || skip "apt-get install slurmctld slurmd slurm-client munge failed"
fi

host="$(hostname -s)"
cpus="$(nproc)"
mem_mib=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
state=/var/tmp/plmbench-slurm
mkdir -p "$state/ctld" "$state/d" /etc/slurm /run/munge /var/log/munge /var/lib/munge /etc/munge
conf=/etc/slurm/slurm.conf
cat > "$conf.new" <<CONF
# Written by plmbench .ci/setup-slurm.sh: one node, no cgroups, for tests.
ClusterName=plmbench
SlurmctldHost=$host
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=$host CPUs=$cpus RealMemory=$mem_mib State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
changed=1
if [ -f "$conf" ] && cmp -s "$conf" "$conf.new"; then changed=0; fi
mv "$conf.new" "$conf"

if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
chmod 0700 /etc/munge /var/lib/munge; chmod 0400 /etc/munge/munge.key; chmod 0755 /run/munge

if ! pgrep -x munged >/dev/null; then
  if id munge >/dev/null 2>&1; then
    su -s /bin/sh munge -c munged 2>/dev/null || runuser -u munge -- munged || skip "munged does not start"
  else
    munged --force || skip "munged does not start"
  fi
fi
munge -n | unmunge >/dev/null 2>&1 || skip "munge does not authenticate (munge -n | unmunge)"

if [ "$changed" = 1 ]; then
  pkill_pidfile() { [ -f "$1" ] && kill "$(cat "$1")" 2>/dev/null; rm -f "$1"; }
  pkill_pidfile "$state/slurmd.pid"; pkill_pidfile "$state/slurmctld.pid"; sleep 1
fi
[ -f "$state/slurmctld.pid" ] && kill -0 "$(cat "$state/slurmctld.pid")" 2>/dev/null || slurmctld -i || skip "slurmctld does not start (see $state/slurmctld.log)"
[ -f "$state/slurmd.pid" ] && kill -0 "$(cat "$state/slurmd.pid")" 2>/dev/null || slurmd || skip "slurmd does not start (see $state/slurmd.log)"

for _ in $(seq 1 30); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "setup-slurm: cluster up: $(sinfo -h -o '%N %c CPUs %T')"
    exit 0
  fi
  scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true
  sleep 1
done
echo "setup-slurm: the node did not come up: $(sinfo -h 2>&1 | head -3); see $state/slurmctld.log and $state/slurmd.log" >&2
exit 77
