#!/bin/bash
# Where a running process's CPU goes, by thread and by system call (docs/performance.md, "Eighth session"):
# samples the process with `perf record -g` (cpu-clock, 499 Hz) for <seconds>, then counts each sample once under
# its thread's name as the kernel keeps it (cut at 15 characters, so every event loop counts as one group) and under the first system call on
# its kernel stack, or "user: <object>" when it was not in one (JIT code, libsqlitejdbc, libjvm, libc).
#
# usage: bench/tools/syscall-profile.sh <pid> <seconds> [out dir]     needs: perf, root (or perf_event_paranoid ≤ 1)
#        bench/tools/syscall-profile.sh <perf.data>                    (an earlier recording, read again)
# For names of JIT-compiled Java frames add -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit to the JVM;
# the thread and system-call split does not need them.
set -eu
if [ -f "$1" ]; then
  data=$1
else
  pid=$1; secs=$2; out=${3:-$(mktemp -d)}; data=$out/perf.data
  mkdir -p "$out"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  perf record -F 499 -g -p "$pid" -o "$data" -- sleep "$secs" > /dev/null 2>&1
fi
perf script -i "$data" -F comm,tid,ip,sym,dso 2>/dev/null | python3 -c '
import re, sys
from collections import Counter
by_thread, by_call, total = Counter(), Counter(), 0
def flush(head, frames):
    global total
    if head is None:
        return
    thread = head.strip()
    call = None
    for f in frames:
        m = re.search(r"\b(__x64_sys_\w+|__do_sys_\w+|ksys_\w+)", f)
        if m:
            call = re.sub(r"^(__x64_sys_|__do_sys_|ksys_)", "", m.group(1))
            break
    if call is None:
        leaf = frames[0] if frames else ""
        m = re.search(r"\(([^)]*)\)\s*$", leaf)
        obj = m.group(1).rsplit("/", 1)[-1] if m else "?"
        obj = re.sub(r"^perf-[0-9]+\.map$", "JIT code", obj)
        obj = re.sub(r"^sqlite-.*libsqlitejdbc\.so$", "libsqlitejdbc.so", obj)
        call = "kernel, outside a system call" if obj == "[kernel.kallsyms]" else "user: " + obj
    by_thread[thread] += 1
    by_call[(thread, call)] += 1
    total += 1
head, frames = None, []
for line in sys.stdin:
    if not line.strip():
        flush(head, frames); head, frames = None, []
    elif not line.startswith(("\t", " " * 8)) and head is None:
        head = re.split(r"\s{2,}|\s\d+\s*$", line.rstrip())[0]
        head = re.sub(r"\s+\d+$", "", head.strip())
    else:
        frames.append(line.strip())
flush(head, frames)
print(f"{total} samples")
for thread, n in by_thread.most_common(8):
    print(f"{100 * n / total:5.1f} %  {thread}")
    for (t, call), k in sorted(by_call.items(), key=lambda kv: -kv[1]):
        if t == thread and k / n >= 0.03:
            print(f"         {100 * k / n:5.1f} % of it  {call}")
'
