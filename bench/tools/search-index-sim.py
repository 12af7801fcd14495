#!/usr/bin/env python3
"""Pages the SQLite search index file writes, by layout, offline: what each checkpoint of it has to sync.

Usage: search-index-sim.py [CYCLES]
  CYCLES  indexer cycles measured (default 300), after 100,000 messages indexed first

Replays the 10k fan-out's shape into parley-search.db's two layouts, the way SqliteSearchIndex indexes:
100 conversations, bodies shaped as `bench fanout` sends them (sender.conversation.seq.time.x...), one
transaction per cycle of 200 messages (the indexer wakes every 200 ms; the fan-out sends 1,000 messages a
second). A checkpoint runs, as SQLite's default autocheckpoint would, once the WAL holds 1,000 frames.
  layout1  FTS5 rowid from a table search_rows (id, conversation_id, seq) with UNIQUE (conversation_id, seq)
  layout2  FTS5 rowid = the log's rowid, no other table
For each: WAL frames per cycle, checkpoints, distinct pages per checkpoint (the pages it writes into the file
and syncs), their owners (from dbstat), and the checkpoint's time with its fsync (synchronous=NORMAL, as the
server opens the file). Files go to /tmp/search-sim-*.db.
"""
import collections
import importlib.util
import os
import random
import sqlite3
import sys
import time

spec = importlib.util.spec_from_file_location('wp', os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                 'wal-pages.py'))
wp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wp)

PAGE_FRAMES = 1000  # SQLite's default wal_autocheckpoint


def wal_pages(path):
    """Page numbers of the frames in the WAL since it last restarted, in order."""
    return [page for page, _ in wp.frames(path)]


def messages():
    random.seed(7)
    seqs = collections.Counter()
    rowid = 0
    ms = 1_765_000_000_000
    while True:
        conv = random.randrange(100)
        sender = random.randrange(10)
        seqs[conv] += 1
        rowid += 1
        if rowid % 5 == 0:
            ms += 1
        body = f'{sender}.{conv}.{seqs[conv]}.{ms}.' + 'x' * 180
        yield rowid, f'cnv_{conv:026d}', seqs[conv], body


def run(layout, cycles):
    path = f'/tmp/search-sim-{layout}.db'
    for s in ('', '-wal', '-shm'):
        if os.path.exists(path + s):
            os.remove(path + s)
    c = sqlite3.connect(path, isolation_level=None)
    c.execute('PRAGMA journal_mode=WAL')
    c.execute('PRAGMA synchronous=NORMAL')
    c.execute('PRAGMA wal_autocheckpoint=0')
    if layout == 'layout1':
        c.execute('CREATE TABLE search_rows (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, '
                  'seq INTEGER NOT NULL, UNIQUE (conversation_id, seq))')
    c.execute("CREATE VIRTUAL TABLE search_text USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')")
    c.execute('CREATE TABLE index_state (id INTEGER PRIMARY KEY CHECK (id = 1), log_rowid INTEGER NOT NULL, '
              'conversation_id TEXT, seq INTEGER)')
    c.execute('INSERT INTO index_state (id, log_rowid) VALUES (1, 0)')
    source = messages()

    def cycle(n):
        c.execute('BEGIN')
        for _ in range(n):
            rowid, conv, seq, body = next(source)
            if layout == 'layout1':
                rid = c.execute('INSERT INTO search_rows (conversation_id, seq) VALUES (?, ?) RETURNING id',
                                (conv, seq)).fetchone()[0]
            else:
                rid = rowid
            c.execute('INSERT INTO search_text (rowid, body) VALUES (?, ?)', (rid, body))
        c.execute('UPDATE index_state SET log_rowid = ?, conversation_id = ?, seq = ? WHERE id = 1',
                  (rowid, conv, seq))
        c.execute('COMMIT')

    for _ in range(50):  # 100,000 messages first, in the indexer's pages of 2,000
        cycle(2000)
    c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    frames, distinct, owners, times = 0, [], collections.Counter(), []
    for _ in range(cycles):
        cycle(200)
        pages = wal_pages(path + '-wal')
        if len(pages) >= PAGE_FRAMES:
            frames += len(pages)
            unique = set(pages)
            distinct.append(len(unique))
            owner = dict(c.execute('SELECT pageno, name FROM dbstat'))
            owners.update(owner.get(p, 'new') for p in unique)
            t = time.perf_counter()
            c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
            times.append((time.perf_counter() - t) * 1000)
    frames += len(wal_pages(path + '-wal'))
    c.close()
    print(f'== {layout}: {cycles} cycles of 200 messages')
    print(f'   WAL frames per cycle: {frames / cycles:.1f}; checkpoints: {len(distinct)} '
          f'(one per {cycles / max(1, len(distinct)):.1f} cycles)')
    if distinct:
        print(f'   distinct pages per checkpoint: mean {sum(distinct) / len(distinct):.0f}, '
              f'min {min(distinct)}, max {max(distinct)}; per cycle {sum(distinct) / cycles:.1f}')
        times.sort()
        print(f'   checkpoint with fsync, ms: median {times[len(times) // 2]:.1f}, max {times[-1]:.1f}')
        total = sum(owners.values())
        print('   pages by owner: ' + ', '.join(f'{k} {v * 100 / total:.0f} %' for k, v in owners.most_common(6)))


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    for layout in ('layout1', 'layout2'):
        run(layout, n)
