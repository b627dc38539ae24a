#!/usr/bin/env bash
# Restore the values apply.sh saved. Usage: revert.sh [--state FILE]
set -u
state="${BARCODED_TUNING_STATE:-/var/tmp/barcoded-tuning.saved}"
[ "${1:-}" = --state ] && state="$2"
[ -r "$state" ] || { echo "revert.sh: nothing saved in $state"; exit 0; }
while IFS='|' read -r key old; do
  p="/proc/sys/${key//.//}"
  if printf '%s\n' "$old" > "$p" 2>/dev/null; then echo "restored $key = $old"; else echo "skip $key: cannot write"; fi
done < "$state"
rm -f "$state"
exit 0
