#!/bin/bash
# Load-independent figures for one fan-out run (docs/performance.md, "Data plane, fourth session"):
# starts a Parley server with JFR (allocation statistics per thread every second), drives it with
# `parley bench fanout` (100 groups x 10, 10k deliveries/s), and prints, for the measured window only,
# bytes allocated per delivery (per thread group), JFR execution-sample shares and allocation sites.
#
# usage: bench/tools/alloc-per-delivery.sh <label> <parley.jar> [VAR=value ...]   (e.g. PARLEY_PUSH=false)
# env:   DATA (server data folder, reused: accounts are cached there; default /tmp/pb-alloc-data),
#        OUT (default /tmp/pb-alloc), WARM (s, default 10), DUR (s, default 20), JAVA_HOME (a JDK 21+),
#        TARGET (parley, the WebSocket, by default; parley-mqtt drives the MQTT gateway, MQTT 3.1.1 QoS 1)
#        DELIVERIES (offered deliveries/s, default 10000: lower it when the machine is loaded, so that the server
#        keeps up and the figures are those of live delivery, not of catching up from the store)
set -u
label=$1; jar=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
out=${OUT:-/tmp/pb-alloc}/$label; rm -rf "$out"; mkdir -p "$out"
data=${DATA:-/tmp/pb-alloc-data}
WARM=${WARM:-10}; DUR=${DUR:-20}; TARGET=${TARGET:-parley}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
port=$(free_port)
target_env=(); target_args=()
if [ "$TARGET" = parley-mqtt ]; then
  mport=$(free_port)
  target_env=(PARLEY_MQTT_PORT="$mport" PARLEY_MQTT_MAX_SESSIONS_PER_USER=1000)
  target_args=(--target parley-mqtt --mqtt-port "$mport")
fi
env PARLEY_SEND_RATE=0 PARLEY_RATE_LIMITS=off "${target_env[@]}" "$@" "$java" -XX:+ExitOnOutOfMemoryError \
  --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+UseCompactObjectHeaders \
  -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=50 \
  "-XX:StartFlightRecording=filename=$out/rec.jfr,settings=profile,jdk.ThreadAllocationStatistics#period=1s" \
  -jar "$jar" server --port "$port" --data "$data" > "$out/server.log" 2>&1 &
spid=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
"$java" -jar "$jar" bench fanout --url "http://127.0.0.1:$port" --server-pid "$spid" --warmup "$WARM" \
  --duration "$DUR" --deliveries "${DELIVERIES:-10000}" --data "$data" --out "$out/bench" "${target_args[@]}" > "$out/bench.log" 2>&1 &
bpid=$!
for _ in $(seq 1 3000); do grep -q "sending" "$out/bench.log" && break; sleep 0.2; done
sleep "$WARM"; t0=$(date +%s%3N); load=$(cut -d' ' -f1 /proc/loadavg)
c0=$(awk '{print $14+$15}' "/proc/$spid/stat")
sleep "$DUR"; t1=$(date +%s%3N)
c1=$(awk '{print $14+$15}' "/proc/$spid/stat")
wait "$bpid"
kill "$spid"; wait "$spid" 2>/dev/null
rate=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['figures']['deliveredPerSec'])" "$out/bench/fanout-$TARGET.json")
deliveries=$(python3 -c "print($rate*($t1-$t0)/1000)")
grep -E "lost|acked" "$out/bench.log"
echo "label=$label target=$TARGET load1=$load deliveredPerSec=$rate window_ms=$((t1-t0))"
echo "server CPU-us per delivery (moves with load): $(python3 -c "print(round(($c1-$c0)*1e6/$(getconf CLK_TCK)/$deliveries,1))")"
"$java" "$here/JfrStats.java" "$out/rec.jfr" "$t0" "$t1" "$deliveries"
