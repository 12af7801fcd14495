package dev.parley.server.backplane;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

class InMemorySessionSnapshotsTest extends SessionSnapshotsContract {
    private long nowMs = 1_000_000;
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(nowMs);
        }
    };
    private InMemorySessionSnapshots shared;

    @Override
    protected SessionSnapshots newSnapshots() {
        // One node only: both "nodes" are the same process, so they share the one instance.
        if (shared == null) {
            shared = new InMemorySessionSnapshots(clock);
        }
        return shared;
    }

    @Override
    protected void letPass(Duration d) {
        nowMs += d.toMillis();
    }
}
