package dev.parley.core.port;

import dev.parley.core.push.QueuedPush;
import java.util.List;

/**
 * The durable queue of pushes decided but not yet delivered, so a push decided before a crash is still
 * sent after a restart. Shared by every node on one database; a claimed push is leased, so a node that
 * dies mid-delivery gives it back when the lease runs out (delivery is at least once).
 */
public interface PushQueue {

    /**
     * Queues a push for {@code push.subscription()} due at {@code dueAtMs}, or folds it into a push of the same
     * subscription and conversation that is still waiting and unclaimed: that one then carries this payload
     * (the latest entry), its count goes up by this payload's count, and it keeps its due time.
     * Durable when it returns.
     */
    void enqueue(List<QueuedPush> pushes, long dueAtMs);

    /**
     * Claims up to {@code limit} pushes due at {@code nowMs}, oldest due first, each leased for {@code leaseMs}:
     * no other claim returns it before the lease runs out unless it is {@linkplain #retryAt retried}.
     * Claimed pushes are no longer coalesced into.
     */
    List<QueuedPush> claimDue(long nowMs, int limit, long leaseMs);

    /** Removes a push that was delivered or given up on. */
    void remove(String pushId);

    /** Puts a claimed push back, due at {@code dueAtMs}, with one more failed attempt counted. */
    void retryAt(String pushId, long dueAtMs);

    /** Pushes waiting (claimed or not), for metrics and tests. */
    int size();
}
