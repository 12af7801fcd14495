#!/usr/bin/env python3
"""WAL pages per commit of the SQLite entries table's shape (its primary key and idempotency index), offline.

Usage: sqlite-entries-sim.py fan|sends VARIANT...
  fan    100 conversations x 10 devices, 150,000 rows first, then 3,000 commits of 2 appends (the 10k fan-out)
  sends  500 conversations x 1 device, 300,000 rows first, then 8 commits of 4,096 appends (bench sends' batches)
  VARIANT text (the index as V1 made it), blob (client id as 16 bytes), worowid (entries WITHOUT ROWID),
          front (the index led by client_msg_id, V19), frontblob (both)
Client ids are UUIDv7 strings; files go to /tmp/pages-sim-*.db. Page counts come from wal-pages.py.
"""
import os, sqlite3, sys, uuid, time, random, collections
import importlib.util
spec = importlib.util.spec_from_file_location('wp', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'wal-pages.py'))
wp = importlib.util.module_from_spec(spec); spec.loader.exec_module(wp)

def v7(ms, n):
    b = bytearray(os.urandom(16)); b[0:6] = ms.to_bytes(6, 'big'); b[6] = 0x70 | (n >> 8 & 0x0f); b[7] = n & 0xff; b[8] = 0x80 | (b[8] & 0x3f)
    return uuid.UUID(bytes=bytes(b))

def rid(p): return p + '_' + ''.join(random.choice('0123456789abcdefghjkmnpqrstvwxyz') for _ in range(26))

def run(variant, prefill=150000, measured=3000, per_commit=2, nconv=100, ndev=10):
    path = f'/tmp/pages-sim-{variant}.db'
    for s in ('', '-wal', '-shm'):
        if os.path.exists(path + s): os.remove(path + s)
    c = sqlite3.connect(path, isolation_level=None)
    c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA wal_autocheckpoint=0'); c.execute('PRAGMA cache_size=-32768')
    wr = ' WITHOUT ROWID' if variant == 'worowid' else ''
    c.execute(f'''CREATE TABLE entries (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, message_id TEXT NOT NULL, sender_id TEXT,
      sender_device_id TEXT, client_msg_id TEXT, kind TEXT NOT NULL, body TEXT, target INTEGER, deleted INTEGER NOT NULL DEFAULT 0,
      created_at_ms INTEGER NOT NULL, PRIMARY KEY (conversation_id, seq)){wr}''')
    if variant.startswith('front'):
        c.execute('CREATE UNIQUE INDEX entries_idempotency ON entries (client_msg_id, sender_device_id, conversation_id)')
    else:
        c.execute('CREATE UNIQUE INDEX entries_idempotency ON entries (conversation_id, sender_device_id, client_msg_id)')
    random.seed(1)
    convs = [rid('cnv') for _ in range(nconv)]
    devs = {cv: [rid('dev') for _ in range(ndev)] for cv in convs}
    seqs = collections.Counter()
    ms = int(time.time() * 1000); n = 0
    def one():
        nonlocal ms, n
        cv = random.choice(convs); dv = random.choice(devs[cv]); seqs[cv] += 1; n += 1
        if n % 50 == 0: ms += 1
        u = v7(ms, n & 0xfff)
        key = u.bytes if variant.endswith('blob') else str(u)
        body = 'x' * 200
        return (cv, seqs[cv], rid('msg'), 'usr_x', dv, key, 'text', body, None, 0, ms)
    sql = 'INSERT INTO entries (conversation_id, seq, message_id, sender_id, sender_device_id, client_msg_id, kind, body, target, deleted, created_at_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?)'
    c.execute('BEGIN')
    for _ in range(prefill): c.execute(sql, one())
    c.execute('COMMIT'); c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    for _ in range(measured):
        c.execute('BEGIN')
        for _ in range(per_commit): c.execute(sql, one())
        c.execute('COMMIT')
    import shutil; shutil.copy(path + '-wal', path + '.walcopy')
    c.close()
    print('==', variant, 'per_commit', per_commit)
    wp.main(path + '.walcopy', path)

mode = sys.argv[1]
for v in sys.argv[2:]:
    if mode == 'fan': run(v)
    else: run(v, prefill=300000, measured=8, per_commit=4096, nconv=500, ndev=1)
