#!/usr/bin/env python3
"""WAL pages per commit, by table or index, of a SQLite database in WAL mode.

Usage: wal-pages.py WAL_COPY DB
  WAL_COPY  a copy of <db>-wal taken while the server ran (the server deletes the WAL when it closes)
  DB        the database file after the run (pages are mapped to tables and indexes with the dbstat table;
            an append-mostly database does not move pages between tables)

Reads the WAL's frame headers (32-byte file header, then per frame a 24-byte header: page number, database
size if the frame ends a commit, the two salts, the checksum), keeps the frames whose salts match the header
(the WAL since the last checkpoint restarted it), and counts frames per commit and per owning table/index.
"""
import collections
import sqlite3
import struct
import sys


def frames(path):
    with open(path, 'rb') as f:
        head = f.read(32)
        if len(head) < 32:  # empty: a checkpoint truncated it
            return
        magic, version, page_size, seq, salt1, salt2 = struct.unpack('>IIIIII', head[:24])
        assert magic in (0x377f0682, 0x377f0683), 'not a WAL file'
        while True:
            fh = f.read(24)
            if len(fh) < 24:
                return
            page, commit_size, s1, s2 = struct.unpack('>IIII', fh[:16])
            if (s1, s2) != (salt1, salt2):
                return
            if len(f.read(page_size)) < page_size:
                return
            yield page, commit_size


def main(wal, db):
    owner = {}
    c = sqlite3.connect('file:' + db + '?mode=ro', uri=True)
    for name, pageno in c.execute('SELECT name, pageno FROM dbstat'):
        owner[pageno] = name
    per_owner = collections.Counter()
    commits = 0
    pending = []
    total = 0
    for page, commit_size in frames(wal):
        pending.append(page)
        if commit_size:
            commits += 1
            total += len(pending)
            for p in pending:
                per_owner[owner.get(p, 'page 1' if p == 1 else 'free/new')] += 1
            pending = []
    if not commits:
        print('no commits in', wal)
        return
    print(f'{commits} commits, {total} frames: {total / commits:.2f} pages per commit')
    for name, n in per_owner.most_common():
        print(f'  {name:32s} {n / commits:6.2f}')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
