package dev.parley.client;

import java.util.concurrent.CompletableFuture;

/**
 * What {@link ParleyClient#send} returns at once: the message as it now sits in the durable outbox, and a
 * future that completes with the stored message (its {@code seq} set) when the server acknowledges it.
 * The future survives reconnects; it fails only if the server refuses the message for good. After a
 * restart, the messages of the old outbox report through {@link ParleyListener#onSent} instead.
 *
 * @param pending the message as queued ({@link Tick#PENDING}, {@code seq} 0)
 * @param sent    completes when the server stored it; fails with {@link ParleyException} when refused
 */
public record OutgoingMessage(ChatMessage pending, CompletableFuture<ChatMessage> sent) {

    /** The idempotency key of this message. */
    public String clientMsgId() {
        return pending.clientMsgId();
    }
}
