package dev.parley.server.privacy;

import dev.parley.core.ChatService;
import dev.parley.core.Engagement;
import dev.parley.core.PresencePrivacy;
import dev.parley.server.backplane.Backplane;
import dev.parley.server.store.jdbc.Database;
import dev.parley.server.store.jdbc.JdbcEngagementStore;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Builds the node's {@link PresencePrivacy}: engagement kept in the node's database, cached here and kept
 * right across nodes by the bus (and forgotten whenever the shared bus was away), hooked into the core.
 */
public final class PresenceModule {
    /** Conversations whose engaged users one node keeps in memory. */
    static final int CACHE_CONVERSATIONS = 100_000;

    private PresenceModule() {
    }

    /** The rule, attached to {@code chat}; what must be closed on shutdown is added to {@code closeables}. */
    public static PresencePrivacy privacy(Database db, ChatService chat, Backplane backplane, Clock clock,
                                          Executor blocking, List<AutoCloseable> closeables) {
        Engagement engagement = new Engagement(new JdbcEngagementStore(db), backplane.bus(), clock,
                CACHE_CONVERSATIONS);
        closeables.add(engagement.listen());
        // Announcements made while the bus was away were missed: read engagement from the store again.
        backplane.onReconnect(engagement::forgetAll);
        PresencePrivacy privacy = new PresencePrivacy(engagement, chat);
        privacy.attach(blocking);
        return privacy;
    }
}
