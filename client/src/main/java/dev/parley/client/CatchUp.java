package dev.parley.client;

import dev.parley.protocol.ConversationView;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Http;
import java.util.function.Consumer;

/**
 * What a new connection does first, off the network thread: fetch the conversations changed since the stored
 * sync token over HTTP, apply them to the replica (which then syncs each conversation's missing entries over the
 * socket), and run the follow-up work the client hands in (KeyPackages). A failure aborts the connection, so the
 * connection loop retries the whole catch-up with backoff.
 */
final class CatchUp {
    private static final String META_SYNC_TOKEN = "syncToken";

    private final HttpApiClient api;
    private final Session session;
    private final LocalStore store;
    private final Replica replica;
    private final Consumer<String> first;
    private final Runnable afterwards;

    /**
     * @param first      run with the session token before the conversation list is read (the block list, so
     *                   that what follows is already filtered)
     * @param afterwards run once the list is applied
     */
    CatchUp(HttpApiClient api, Session session, LocalStore store, Replica replica, Consumer<String> first,
            Runnable afterwards) {
        this.first = first;
        this.api = api;
        this.session = session;
        this.store = store;
        this.replica = replica;
        this.afterwards = afterwards;
    }

    /** Starts catching up for the connection {@code c} that just said {@code welcome}. */
    void start(ServerLink c) {
        Thread.ofVirtual().name("parley-catch-up").start(() -> {
            try {
                String token = session.token();
                first.accept(token);
                refreshConversations(token);
                replica.listRefreshed(c);
                afterwards.run();
            } catch (RuntimeException e) {
                if (c.isOpen()) {
                    c.abort("catch-up failed: " + e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** The conversation list since the stored token (all of it when the server no longer knows the token). */
    private void refreshConversations(String token) throws InterruptedException {
        String since = store.meta(META_SYNC_TOKEN).orElse(null);
        Http.ConversationList list;
        try {
            list = api.conversations(token, since);
        } catch (ParleyException e) {
            if (since == null || e.code() != ErrorCode.BAD_REQUEST) {
                throw e;
            }
            list = api.conversations(token, null);
        }
        Http.ConversationList changes = list;
        replica.submitAndWait(after -> {
            if (changes.conversations() != null) {
                for (ConversationView v : changes.conversations()) {
                    replica.applyView(v, after);
                }
            }
            if (changes.removed() != null) {
                for (String id : changes.removed()) {
                    replica.markRemoved(replica.conv(id), after);
                }
            }
            if (changes.syncToken() != null) {
                store.putMeta(META_SYNC_TOKEN, changes.syncToken());
            }
        });
    }
}
