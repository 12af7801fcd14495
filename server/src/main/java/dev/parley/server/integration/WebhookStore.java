package dev.parley.server.integration;

import java.util.List;

/**
 * Registered webhooks and their durable outbox. Outbox rows are created by the store itself in the transaction
 * that stores what they report (an entry, a conversation, a user), so an event exists exactly when its cause
 * is durable. Methods block; call them from virtual threads.
 *
 * <p>Ordering contract: for one webhook and one conversation, {@link #claim} hands out only the oldest row
 * still in the outbox, and only when no node holds a lease on it; rows without a conversation ({@code
 * user.created}) have no order. A claimed row stays leased until {@link #delivered}, {@link #retryLater} or
 * {@link #drop}, or until its lease runs out (its node died), after which it is claimable again: at least once.
 */
public interface WebhookStore {

    /** A registered webhook; {@code events} in the order given. */
    record Webhook(String webhookId, String url, List<String> events, String secret, long createdAtMs) {
        @Override
        public String toString() {
            return "Webhook[webhookId=" + webhookId + ", events=" + events + "]";
        }
    }

    /** One event to deliver to one webhook. {@code seq} is 0 for {@code conversation.created}. */
    record Delivery(long id, String webhookId, String url, String secret, String eventId, String type,
                    String conversationId, long seq, String subjectId, long createdAtMs, int attempts) {
        @Override
        public String toString() {
            return "Delivery[id=" + id + ", webhookId=" + webhookId + ", eventId=" + eventId + ", type=" + type + "]";
        }
    }

    void add(Webhook webhook);

    List<Webhook> list();

    /**
     * Removes a webhook and everything still to be delivered to it.
     *
     * @return false if it was unknown
     */
    boolean remove(String webhookId);

    /**
     * Leases up to {@code max} due rows (due at or before {@code nowMs}, not leased, first of their webhook and
     * conversation) to {@code owner} until {@code leaseUntilMs}; on a shared database two nodes never lease the
     * same row.
     */
    List<Delivery> claim(String owner, long nowMs, long leaseUntilMs, int max);

    /** The row was delivered: it leaves the outbox (if {@code owner} still holds it). */
    void delivered(long id, String owner);

    /** The attempt failed: due again at {@code dueAtMs}, one more attempt counted, lease released. */
    void retryLater(long id, String owner, long dueAtMs, String error);

    /** Given up on (too old, or refused by the outbound rule): it leaves the outbox. */
    void drop(long id, String owner);

    /** Releases every lease (a single node starting again: nothing else can hold one). */
    void releaseAllLeases();

    /** Rows still to deliver (a gauge). */
    long pending();
}
