package dev.parley.server.backplane;

import dev.parley.core.TestClock;
import java.time.Duration;

class InMemorySessionSnapshotsTest extends SessionSnapshotsContract {
    private final TestClock clock = new TestClock();
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
        clock.advance(d.toMillis());
    }
}
