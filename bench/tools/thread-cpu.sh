#!/bin/bash
# CPU per thread of a running JVM over a window (docs/performance.md, "Fifth session"): utime + stime of every
# thread from /proc/<pid>/task/*/stat at the start and the end, names from `jcmd <pid> Thread.print` (the kernel's
# comm is cut at 15 characters, so every event loop would read "vert.x-eventloo").
#
# usage: bench/tools/thread-cpu.sh <pid> <seconds>        env: JAVA_HOME (for jcmd)
set -u
pid=$1; secs=$2; hz=$(getconf CLK_TCK); jcmd=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
tmp=$(mktemp -d)
snap() {
  for t in /proc/"$pid"/task/*; do
    read -r line < "$t/stat" 2>/dev/null || continue
    rest=${line##*) }; set -- $rest
    echo "${t##*/} $(( ${12} + ${13} ))"
  done | sort
}
snap > "$tmp/a"; sleep "$secs"; snap > "$tmp/b"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$jcmd" "$pid" Thread.print 2>/dev/null | grep -oE '^"[^"]*".*nid=(0x[0-9a-f]+|[0-9]+)' \
  | sed -E 's/^"([^"]*)".*nid=(0x[0-9a-f]+|[0-9]+)/\2 \1/' \
  | while read -r id name; do echo "$((id)) ${name// /_}"; done | sort > "$tmp/names"
join "$tmp/a" "$tmp/b" | join -a1 - "$tmp/names" \
  | awk -v hz="$hz" '{d=($3-$2)*1000/hz; n=($4==""?"tid-"$1:$4); if (d>0 || n ~ /eventloop/) printf "%8.0f ms  %s\n", d, n}' \
  | sort -rn > "$tmp/cpu"
head -20 "$tmp/cpu"
echo "-- event loops:"; grep eventloop "$tmp/cpu" | sort -k3
awk -v s="$secs" '{t+=$1} END {printf "total %.0f ms over %s s\n", t, s}' "$tmp/cpu"
rm -rf "$tmp"
