#!/usr/bin/env bash
# Print current vs recommended kernel settings for barcoded. Exit 1 if any present
# setting is off (missing ones are reported, not counted). Usage: check.sh
set -u
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=settings.sh
. "$here/settings.sh"
off=0
printf '%-34s %-16s %-16s %s\n' setting current recommended status
for entry in "${SETTINGS[@]}"; do
  IFS='|' read -r key want cmp _why <<<"$entry"
  p="/proc/sys/${key//.//}"
  if [ ! -e "$p" ]; then printf '%-34s %-16s %-16s %s\n' "$key" "-" "$want" "absent"; continue; fi
  cur="$(tr -s '[:space:]' ' ' < "$p" | sed 's/ $//')"
  status=ok
  if [ "$cmp" = min ]; then
    [ "${cur%% *}" -ge "${want%% *}" ] 2>/dev/null || status=OFF
  else
    [ "$cur" = "$want" ] || status=OFF
  fi
  [ "$status" = OFF ] && off=$((off+1))
  printf '%-34s %-16s %-16s %s\n' "$key" "$cur" "$want" "$status"
done
printf '%-34s %-16s %-16s %s\n' "ulimit -n (hard)" "$(ulimit -Hn)" "1048576" "$([ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 1048576 ] && echo ok || echo low)"
echo "check.sh: $off setting(s) off"
[ "$off" -eq 0 ]
