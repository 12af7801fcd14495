#!/bin/bash
# Memory per idle authenticated /v1/ws socket (docs/performance.md, "Fifth session"): runs `parley bench connections`
# (10,000 sockets) against a server with a fixed, pre-touched heap and native memory tracking, takes a class histogram
# and an NMT baseline when the bench starts opening sockets and again once all are open, and prints the bench's
# summary, the histogram difference per socket (divided by the change in WsPeer instances) and the NMT difference.
#
# usage: bench/tools/idle-socket-memory.sh <label> <parley.jar>
# env:   OUT (default /tmp/pb-idle), N (sockets, default 10000), JAVA_HOME (a JDK 21+); mind `ulimit -n`
set -u
label=$1; jar=$(realpath "$2"); n=${N:-10000}
bin=${JAVA_HOME:+$JAVA_HOME/bin/}
out=${OUT:-/tmp/pb-idle}/$label; rm -rf "$out"; mkdir -p "$out"
echo "load before: $(cat /proc/loadavg)" > "$out/load.txt"
"${bin}java" -jar "$jar" bench connections -n "$n" --hold 40 --data "$out/data" --out "$out/report" \
  --server-jvm-args "-Xms768m -Xmx768m -XX:+AlwaysPreTouch -XX:NativeMemoryTracking=summary" > "$out/bench.log" 2>&1 &
bpid=$!
for _ in $(seq 1 1200); do grep -q "before; opening" "$out/bench.log" && break; sleep 0.5; done
spid=$(pgrep -f -- "server --port [0-9]* --data $out/data" | head -1)
"${bin}jcmd" "$spid" GC.class_histogram > "$out/hist0.txt"
"${bin}jcmd" "$spid" VM.native_memory baseline > /dev/null
# the bench reads memory in 10 steps; the tenth is all sockets open
for _ in $(seq 1 1200); do [ "$(grep -c 'connections: server RSS' "$out/bench.log")" -ge 10 ] && break; sleep 1; done
sleep 3
"${bin}jcmd" "$spid" GC.class_histogram > "$out/hist1.txt"
"${bin}jcmd" "$spid" VM.native_memory summary.diff > "$out/nmt.txt"
echo "load after: $(cat /proc/loadavg)" >> "$out/load.txt"
wait "$bpid"
grep -v '^\s*$' "$out/bench.log" | grep -E '^\[|connections|heapKib|report' | tail -16
cat "$out/load.txt"
python3 - "$out/hist0.txt" "$out/hist1.txt" <<'PY'
import re, sys
def load(p):
    d = {}
    for line in open(p):
        m = re.match(r'\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)', line)
        if m:
            d[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
peer = next(k for k in b if k.endswith('.ws.WsPeer'))
n = b[peer][0] - a.get(peer, (0, 0))[0]
rows = sorted(((b.get(k, (0, 0))[1] - a.get(k, (0, 0))[1], b.get(k, (0, 0))[0] - a.get(k, (0, 0))[0], k)
               for k in set(a) | set(b)), reverse=True)
print(f"sockets (WsPeer instances added): {n}; live heap per socket: {sum(r[0] for r in rows) / n:.0f} B")
for db, di, k in rows[:30]:
    print(f"{db / n:8.1f} B  {di / n:6.2f} objects  {k}")
PY
grep -E '^Total|^-' -A1 "$out/nmt.txt" | grep -E 'committed=' | sed -E 's/\(reserved=[^,]*, //; s/^ +//'
