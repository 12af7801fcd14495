#!/usr/bin/env python3
"""When a SQLite database in WAL mode checkpoints, read from its WAL index while a server runs.

Usage: wal-checkpoints.py DB_SHM OUT SECONDS [POLL_MS]
  DB_SHM   the WAL index of the database, e.g. <data>/parley.db-shm (it may not exist yet: the script waits,
           and opens it again when the server replaces it)
  OUT      a text file: one line per change of the checkpoint counters, with the wall-clock time
  SECONDS  how long to watch
  POLL_MS  the polling interval (default 2)

The WAL index's layout is SQLite's documented one (https://sqlite.org/walformat.html, "the WAL-index
header"): mxFrame (frames in the WAL) at byte 16 of the header, then in the checkpoint information at byte 96
nBackfill (frames copied into the database) and at byte 128 nBackfillAttempted (set when a checkpoint starts).
All are in the machine's byte order. The file is only read, never locked, so a torn read is possible; the
figures are for timing checkpoints, not for anything that must be exact.

A checkpoint shows as `attempted` rising to `mx` (it starts), then `backfill` reaching it (it has copied and
synced the pages), then `mx` falling to a small number (the next writer started the WAL over).

Caution: of the eleventh session's `bench fanout` runs at 10k deliveries/s, four of the six with this script
polling every 2 ms had two server-side stalls of 100-250 ms, against two of the 37 runs without it that kept
the fsync on. Use its runs for the checkpoints' times, and runs without it for latency figures.
"""
import glob
import os
import struct
import sys
import time


def main():
    shm, out, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    poll = (float(sys.argv[4]) if len(sys.argv) > 4 else 2.0) / 1000
    end = time.time() + seconds
    fd, inode, next_check, previous = None, None, 0.0, None
    with open(out, 'w') as log:
        while time.time() < end:
            if fd is not None and time.time() > next_check:
                next_check = time.time() + 0.2
                try:
                    replaced = os.stat(shm).st_ino != inode
                except FileNotFoundError:
                    replaced = True
                if replaced:
                    os.close(fd)
                    fd = None
            if fd is None:
                if not glob.glob(shm):
                    time.sleep(0.05)
                    continue
                inode = os.stat(shm).st_ino
                fd = os.open(shm, os.O_RDONLY)
                previous = None
                log.write(f"# opened {shm}\n")
            header = os.pread(fd, 136, 0)  # unbuffered: each poll reads what the server wrote last
            if len(header) < 136:
                time.sleep(poll)
                continue
            mx = struct.unpack_from('=I', header, 16)[0]
            backfill = struct.unpack_from('=I', header, 96)[0]
            attempted = struct.unpack_from('=I', header, 128)[0]
            current = (mx, backfill, attempted)
            if previous is None or current[1:] != previous[1:] or mx < previous[0]:
                log.write(f"{time.time():.4f} mx={mx} backfill={backfill} attempted={attempted}\n")
                log.flush()
            previous = current
            time.sleep(poll)
    if fd is not None:
        os.close(fd)


if __name__ == '__main__':
    main()
