#!/usr/bin/env bash
# Apply barcoded's recommended kernel settings. Saves the current values first (for
# revert.sh). Read-only or missing sysctls (containers) are reported and skipped; the
# script never stops halfway. Usage: apply.sh [--dry-run] [--state FILE]
set -u
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=settings.sh
. "$here/settings.sh"
dry=0
state="${BARCODED_TUNING_STATE:-/var/tmp/barcoded-tuning.saved}"
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry=1 ;;
    --state) shift; state="$1" ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "apply.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

path_of() { printf '/proc/sys/%s' "${1//.//}"; }

applied=0; skipped=0
[ "$dry" = 1 ] || : > "$state" 2>/dev/null || { echo "apply.sh: cannot write $state" >&2; exit 1; }
for entry in "${SETTINGS[@]}"; do
  IFS='|' read -r key want cmp why <<<"$entry"
  p="$(path_of "$key")"
  if [ ! -e "$p" ]; then echo "skip  $key: not present on this kernel"; skipped=$((skipped+1)); continue; fi
  cur="$(tr -s '[:space:]' ' ' < "$p" | sed 's/ $//')"
  if [ "$cmp" = min ] && [ "${cur%% *}" -ge "${want%% *}" ] 2>/dev/null; then
    echo "keep  $key = $cur (>= $want)"; continue
  fi
  if [ "$cur" = "$want" ]; then echo "keep  $key = $cur"; continue; fi
  if [ "$dry" = 1 ]; then echo "would $key: $cur -> $want   # $why"; continue; fi
  if [ ! -w "$p" ] || ! printf '%s\n' "$want" > "$p" 2>/dev/null; then
    echo "skip  $key: read-only here (container?); wanted $want"; skipped=$((skipped+1)); continue
  fi
  printf '%s|%s\n' "$key" "$cur" >> "$state"
  echo "set   $key: $cur -> $want"; applied=$((applied+1))
done

# Not sysctls: hints that need a decision per machine.
echo "hint  nofile: barcoded raises its soft RLIMIT_NOFILE to the hard limit; raise the hard limit (systemd LimitNOFILE=1048576) for >1M connections"
echo "hint  io_uring: memlock limit $(ulimit -l) KiB; io_uring rings need locked memory on kernels < 5.12 (LimitMEMLOCK=infinity)"
thp=/sys/kernel/mm/transparent_hugepage/enabled
[ -r "$thp" ] && echo "hint  transparent hugepages: $(cat "$thp") (madvise is the safe choice; 'always' can add latency spikes from compaction)"
echo "hint  RPS/XPS and IRQ affinity: pin NIC queues' IRQs to the cores barcoded runs on (one queue per core), e.g. echo <mask> > /proc/irq/N/smp_affinity"
echo "apply.sh: $applied changed, $skipped skipped$([ "$dry" = 1 ] && echo ' (dry run: nothing changed)')"
exit 0
